import Foundation

/// A training set drawn from several sources by a ``MixturePlan``, seeded and deterministic, with its manifest.
///
/// Each source draws with its own generator (`SplitMix64(seed:label: "source/<name>")`, or one per modality pool),
/// so adding a source leaves the others' draws unchanged; the combined records are then shuffled with
/// `"order"`. Image paths get their source's `imagePrefix`.
///
/// ```swift
/// let mixture = try Mixture.build(name: "MLAN_v", sources: [alpaca, scienceQA],
///                                 plan: .mlanVLlama2(total: 800), seed: 42)
/// try mixture.write(to: folder.appendingPathComponent("mlan_v.json"))   // + mlan_v.manifest.json
/// ```
public struct Mixture: Sendable {
    /// The chosen records in training order.
    public var records: [InstructionRecord]
    /// For each record, the name of its source.
    public var sourceNames: [String]
    /// How the mixture was drawn, and from what.
    public var manifest: MixtureManifest

    /// Draws a mixture from `sources` following `plan`.
    /// - Throws: `MixtureError` for duplicate or unknown source names, missing or invalid amounts, or a source
    ///   (or modality pool) with too few records.
    public static func build(name: String, sources: [MixtureSource], plan: MixturePlan, seed: UInt64) throws -> Mixture {
        var seen = Set<String>()
        for source in sources where !seen.insert(source.name).inserted {
            throw MixtureError.duplicateSource(name: source.name)
        }
        let picks = try choose(sources: sources, plan: plan, seed: seed)  // per source: record positions

        var entries: [(source: Int, record: Int)] = []
        for (s, chosen) in picks.enumerated() { entries += chosen.map { (s, $0) } }
        var orderRNG = SplitMix64(seed: seed, label: "order")
        orderRNG.shuffle(&entries)

        var records: [InstructionRecord] = [], names: [String] = []
        for (s, r) in entries {
            var record = sources[s].records[r]
            record.images = record.images.map { sources[s].imagePrefix + $0 }
            records.append(record)
            names.append(sources[s].name)
        }
        let entriesBySource = zip(sources, picks).map { source, chosen in
            let chosenRecords = chosen.map { source.records[$0] }
            let vision = chosenRecords.filter(\.isMultimodal).count
            return MixtureManifest.Source(name: source.name, dataset: source.dataset, taskCluster: source.taskCluster,
                                          file: source.file, available: source.records.count, chosen: chosen.count,
                                          vision: vision, language: chosen.count - vision,
                                          ids: chosenRecords.map(\.id), indices: chosenRecords.map(\.location.index),
                                          tokens: nil)
        }
        let vision = entriesBySource.reduce(0) { $0 + $1.vision }
        let manifest = MixtureManifest(format: MixtureManifest.formatTag, name: name, seed: seed, plan: plan.summary,
                                       total: records.count, language: records.count - vision, vision: vision,
                                       sources: entriesBySource, tokens: nil)
        return Mixture(records: records, sourceNames: names, manifest: manifest)
    }

    /// Fills the manifest's token totals (per source and overall) by tokenizing every record with `tokenize`;
    /// `imagePlaceholder` is the id that stands for an image.
    /// - Throws: what `tokenize` throws.
    public mutating func countTokens(imagePlaceholder: Int?,
                                     _ tokenize: (InstructionRecord) throws -> TokenizedExample) rethrows {
        var perSource: [String: MixtureManifest.TokenTotals] = [:]
        for (record, source) in zip(records, sourceNames) {
            let example = try tokenize(record)
            let images = imagePlaceholder.map { p in example.ids.filter { $0 == p }.count } ?? 0
            let totals = MixtureManifest.TokenTotals(examples: 1, tokens: example.ids.count,
                                                     supervised: example.isTarget.filter { $0 }.count, images: images)
            perSource[source, default: MixtureManifest.TokenTotals()] = perSource[source, default: .init()] + totals
        }
        for index in manifest.sources.indices {
            manifest.sources[index].tokens = perSource[manifest.sources[index].name] ?? MixtureManifest.TokenTotals()
        }
        manifest.tokens = perSource.values.reduce(MixtureManifest.TokenTotals(), +)
    }

    /// Writes the records as a LLaVA JSON array to `url` and the manifest beside it
    /// (``manifestURL(for:)``), each atomically.
    /// - Throws: `DatasetError.writeFailed` or `MixtureError.writeFailed` naming the file.
    public func write(to url: URL) throws {
        try JSONDataset.write(records, to: url)
        try manifest.write(to: Self.manifestURL(for: url))
    }

    /// Where the manifest of the mixture at `url` goes: `mix.json` -> `mix.manifest.json`.
    public static func manifestURL(for url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("manifest.json")
    }

    /// Per source, the positions of the chosen records, in draw order.
    static func choose(sources: [MixtureSource], plan: MixturePlan, seed: UInt64) throws -> [[Int]] {
        let names = sources.map(\.name)
        switch plan {
        case .counts(let counts):
            try checkNames(counts.keys, against: names)
            let amounts = try names.map { name -> Int in
                guard let count = counts[name] else { throw MixtureError.missingAmount(source: name) }
                guard count >= 0 else { throw MixtureError.invalidAmount(source: name, value: Double(count)) }
                return count
            }
            return try drawPerSource(sources, amounts: amounts, seed: seed)
        case .ratios(let ratios, let total):
            try checkNames(ratios.keys, against: names)
            guard total >= 0 else { throw MixtureError.invalidAmount(source: "total", value: Double(total)) }
            let weights = try names.map { name -> Double in
                guard let weight = ratios[name] else { throw MixtureError.missingAmount(source: name) }
                guard weight.isFinite, weight >= 0 else { throw MixtureError.invalidAmount(source: name, value: weight) }
                return weight
            }
            return try drawPerSource(sources, amounts: MixturePlan.apportion(total, weights: weights), seed: seed)
        case .modalities(let fraction, let total):
            guard fraction.isFinite, (0...1).contains(fraction) else {
                throw MixtureError.invalidAmount(source: "languageFraction", value: fraction)
            }
            guard total >= 0 else { throw MixtureError.invalidAmount(source: "total", value: Double(total)) }
            let language = Int((Double(total) * fraction).rounded(.toNearestOrAwayFromZero))
            var picks = sources.map { _ in [Int]() }
            for (vision, count) in [(false, language), (true, total - language)] {
                let pool = sources.indices.flatMap { s in
                    sources[s].records.indices.filter { sources[s].records[$0].isMultimodal == vision }.map { (s, $0) }
                }
                guard pool.count >= count else {
                    throw MixtureError.notEnoughRecords(source: vision ? "vision pool" : "language pool",
                                                        requested: count, available: pool.count)
                }
                var rng = SplitMix64(seed: seed, label: vision ? "pool/vision" : "pool/language")
                for (s, r) in rng.sample(pool, count: count) { picks[s].append(r) }
            }
            return picks
        }
    }

    private static func drawPerSource(_ sources: [MixtureSource], amounts: [Int], seed: UInt64) throws -> [[Int]] {
        try zip(sources, amounts).map { source, count in
            guard count <= source.records.count else {
                throw MixtureError.notEnoughRecords(source: source.name, requested: count, available: source.records.count)
            }
            var rng = SplitMix64(seed: seed, label: "source/\(source.name)")
            return rng.sample(Array(source.records.indices), count: count)
        }
    }

    private static func checkNames(_ planned: some Collection<String>, against names: [String]) throws {
        for name in planned.sorted() where !names.contains(name) { throw MixtureError.unknownSource(name: name) }
    }
}
