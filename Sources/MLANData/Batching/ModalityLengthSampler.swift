/// Orders examples into batches that are all-language or all-vision, of similar lengths, in a seeded order
/// (LLaVA's `group_by_modality_length`).
///
/// Per modality: the indices are shuffled and cut into groups of `batchSize * groupSize`; each group is sorted
/// by length (longest first, index breaking ties) and cut into `groupSize` batches, so a batch holds neighbours
/// in length. The complete groups of both modalities are then shuffled together, keeping each group's batches
/// consecutive: with `groupSize` set to the micro-batches of one optimizer step (LLaVA's megabatch, its
/// devices × per-device batch), every step is a random draw from one modality whose micro-batches are merely
/// sorted by length. Each modality's incomplete last group goes at the end (vision first; any partial batch
/// last): LLaVA merges the two leftovers into one mixed batch, MLAN keeps batches single-modality. `dropLast`
/// leaves out each modality's final partial batch.
///
/// ```swift
/// let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: flags, batchSize: 16, groupSize: 2, seed: 42)
/// for batch in sampler.batches(epoch: 0) { /* indices into the dataset */ }
/// ```
public struct ModalityLengthSampler: Sendable {
    /// Each example's length (e.g. model positions).
    public let lengths: [Int]
    /// Whether each example has images.
    public let isMultimodal: [Bool]
    /// Examples per batch.
    public var batchSize: Int
    /// Batches per length group, kept consecutive: the micro-batches of one optimizer step. Larger groups than
    /// that give more uniform lengths per batch but steps that are no longer random draws.
    public var groupSize: Int
    /// The seed; each epoch derives its own order from it.
    public var seed: UInt64
    /// Leave out each modality's final partial batch.
    public var dropLast: Bool

    /// A sampler over examples described by `lengths` and `isMultimodal`.
    /// - Throws: `BatchError.countMismatch` when the two arrays differ in length.
    public init(lengths: [Int], isMultimodal: [Bool], batchSize: Int, groupSize: Int = 1, seed: UInt64,
                dropLast: Bool = false) throws {
        precondition(batchSize > 0 && groupSize > 0, "batchSize and groupSize must be positive, got \(batchSize), \(groupSize)")
        guard lengths.count == isMultimodal.count else {
            throw BatchError.countMismatch(lengths: lengths.count, modalities: isMultimodal.count)
        }
        self.lengths = lengths
        self.isMultimodal = isMultimodal
        self.batchSize = batchSize
        self.groupSize = groupSize
        self.seed = seed
        self.dropLast = dropLast
    }

    /// How many batches an epoch has (the same for every epoch): each modality is cut on its own, so each may end
    /// in a partial batch (left out with `dropLast`).
    public static func batchCount(multimodal: Int, languageOnly: Int, batchSize: Int, dropLast: Bool = false) -> Int {
        let batches = { (count: Int) in dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }
        return batches(multimodal) + batches(languageOnly)
    }

    /// The batches of one epoch, as indices into the examples; the same seed and epoch give the same batches.
    public func batches(epoch: Int = 0) -> [[Int]] {
        var rng = SplitMix64(seed: seed, label: "modality-length/epoch-\(epoch)")
        var groups: [[[Int]]] = [], leftover: [[Int]] = [], partial: [[Int]] = []
        for vision in [true, false] {
            var indices = isMultimodal.indices.filter { isMultimodal[$0] == vision }
            rng.shuffle(&indices)
            let batches = lengthGroupedBatches(indices)
            for start in stride(from: 0, to: batches.count, by: groupSize) {
                let group = batches[start..<min(start + groupSize, batches.count)]
                if group.count == groupSize, group.allSatisfy({ $0.count == batchSize }) {
                    groups.append(Array(group))
                } else {
                    leftover += group.filter { $0.count == batchSize }
                    partial += group.filter { $0.count != batchSize && !dropLast }
                }
            }
        }
        rng.shuffle(&groups)
        return groups.flatMap { $0 } + leftover + partial
    }

    /// Shuffled `indices` cut into groups, each sorted by length (descending) and cut into batches.
    func lengthGroupedBatches(_ indices: [Int]) -> [[Int]] {
        let group = batchSize * groupSize
        var batches: [[Int]] = []
        for start in stride(from: 0, to: indices.count, by: group) {
            let sorted = indices[start..<min(start + group, indices.count)].sorted {
                lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1
            }
            for batchStart in stride(from: 0, to: sorted.count, by: batchSize) {
                batches.append(Array(sorted[batchStart..<min(batchStart + batchSize, sorted.count)]))
            }
        }
        return batches
    }
}
