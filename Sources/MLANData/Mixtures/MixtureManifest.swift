import Foundation

/// What a mixture holds and how it was drawn, saved as JSON beside the mixture.
///
/// It records each source's dataset and task cluster, so an evaluator can check that an evaluation dataset
/// (or its whole task cluster) was never trained on: see ``trainedDatasets``, ``trainedClusters`` and
/// ``isHeldOut(dataset:taskCluster:)``.
public struct MixtureManifest: Sendable, Equatable, Codable {
    /// The manifest layout's version tag.
    public static let formatTag = "mlan-mixture-manifest/1"

    /// The plan as written in the manifest: `kind` is `"counts"`, `"ratios"` or `"modalities"`.
    public struct Plan: Sendable, Equatable, Codable {
        /// `"counts"`, `"ratios"` or `"modalities"`.
        public var kind: String
        /// Counts by source name, for `"counts"`.
        public var counts: [String: Int]?
        /// Weights by source name, for `"ratios"`.
        public var ratios: [String: Double]?
        /// The language share, for `"modalities"`.
        public var languageFraction: Double?
        /// The requested total, for `"ratios"` and `"modalities"`.
        public var total: Int?
    }

    /// Token counts over a set of examples.
    public struct TokenTotals: Sendable, Equatable, Codable {
        /// Examples counted.
        public var examples: Int
        /// Token ids, each image placeholder counted once.
        public var tokens: Int
        /// Supervised token ids (assistant replies and their end markers).
        public var supervised: Int
        /// Image placeholders.
        public var images: Int

        /// Totals from their parts (all zero by default).
        public init(examples: Int = 0, tokens: Int = 0, supervised: Int = 0, images: Int = 0) {
            self.examples = examples
            self.tokens = tokens
            self.supervised = supervised
            self.images = images
        }

        static func + (a: TokenTotals, b: TokenTotals) -> TokenTotals {
            TokenTotals(examples: a.examples + b.examples, tokens: a.tokens + b.tokens,
                        supervised: a.supervised + b.supervised, images: a.images + b.images)
        }
    }

    /// One source's part of the mixture.
    public struct Source: Sendable, Equatable, Codable {
        /// The source's name in the mixture.
        public var name: String
        /// The dataset's canonical name.
        public var dataset: String
        /// The task cluster.
        public var taskCluster: String
        /// The file the records came from, if known.
        public var file: String?
        /// Records the source offered.
        public var available: Int
        /// Records chosen (equal to `ids.count`).
        public var chosen: Int
        /// Chosen records with images.
        public var vision: Int
        /// Chosen language-only records.
        public var language: Int
        /// The chosen records' ids, in draw order.
        public var ids: [String]
        /// The chosen records' 0-based positions in their file, in draw order.
        public var indices: [Int]
        /// Token counts of the chosen records, when a tokenizer was given.
        public var tokens: TokenTotals?
    }

    /// Always ``formatTag``.
    public var format: String
    /// The mixture's name, e.g. `"MLAN_v"`.
    public var name: String
    /// The seed every draw derives from.
    public var seed: UInt64
    /// The plan the counts came from.
    public var plan: Plan
    /// Records in the mixture.
    public var total: Int
    /// Language-only records in the mixture.
    public var language: Int
    /// Records with images in the mixture.
    public var vision: Int
    /// Per source, in the order given.
    public var sources: [Source]
    /// Token counts over the whole mixture, when a tokenizer was given.
    public var tokens: TokenTotals?

    /// Datasets with at least one chosen record.
    public var trainedDatasets: Set<String> { Set(sources.filter { $0.chosen > 0 }.map(\.dataset)) }

    /// Task clusters with at least one chosen record.
    public var trainedClusters: Set<String> { Set(sources.filter { $0.chosen > 0 }.map(\.taskCluster)) }

    /// True when no chosen record comes from `dataset` and, if given, none from `taskCluster`
    /// (names compared case-insensitively).
    public func isHeldOut(dataset: String, taskCluster: String? = nil) -> Bool {
        let datasets = Set(trainedDatasets.map { $0.lowercased() })
        let clusters = Set(trainedClusters.map { $0.lowercased() })
        if datasets.contains(dataset.lowercased()) { return false }
        if let taskCluster, clusters.contains(taskCluster.lowercased()) { return false }
        return true
    }

    /// The manifest in `url`.
    /// - Throws: `MixtureError.unreadableManifest` naming the file.
    public static func load(from url: URL) throws -> MixtureManifest {
        do {
            let manifest = try JSONDecoder().decode(MixtureManifest.self, from: Data(contentsOf: url))
            guard manifest.format == formatTag else {
                throw MixtureError.unreadableManifest(file: url.path, reason: "format \"\(manifest.format)\", "
                                                      + "expected \"\(formatTag)\"")
            }
            return manifest
        } catch let error as MixtureError {
            throw error
        } catch {
            throw MixtureError.unreadableManifest(file: url.path, reason: String(describing: error))
        }
    }

    /// Writes the manifest as pretty-printed JSON, atomically (temporary file, then rename).
    /// - Throws: `MixtureError.writeFailed` naming the file.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(try encoder.encode(self), to: url)
        } catch let failure as AtomicWriteError {
            throw MixtureError.writeFailed(file: url.path, reason: failure.description)
        } catch {
            throw MixtureError.writeFailed(file: url.path, reason: InputFile.reason(for: error))
        }
    }
}
