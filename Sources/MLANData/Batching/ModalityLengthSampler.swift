/// Orders examples into batches that are all-language or all-vision, of similar lengths, in a seeded order
/// (LLaVA's `group_by_modality_length`).
///
/// Per modality: the indices are shuffled, cut into groups of `batchSize * groupSize`, each group is sorted
/// by length (longest first, index breaking ties) and cut into batches, so a batch holds neighbours in length.
/// The full batches of both modalities are then shuffled together. Each modality's last, partial batch (if
/// any) goes at the end, vision first — LLaVA merges the two leftovers into one mixed batch; MLAN keeps them
/// apart so no batch mixes modalities — or is dropped with `dropLast`.
///
/// ```swift
/// let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: flags, batchSize: 16, seed: 42)
/// for batch in sampler.batches(epoch: 0) { /* indices into the dataset */ }
/// ```
public struct ModalityLengthSampler: Sendable {
    /// Each example's length (e.g. model positions).
    public let lengths: [Int]
    /// Whether each example has images.
    public let isMultimodal: [Bool]
    /// Examples per batch.
    public var batchSize: Int
    /// Batches per length group: larger groups give more uniform lengths per batch and less randomness.
    public var groupSize: Int
    /// The seed; each epoch derives its own order from it.
    public var seed: UInt64
    /// Leave out each modality's final partial batch.
    public var dropLast: Bool

    /// A sampler over examples described by `lengths` and `isMultimodal`.
    /// - Throws: `BatchError.countMismatch` when the two arrays differ in length.
    public init(lengths: [Int], isMultimodal: [Bool], batchSize: Int, groupSize: Int = 8, seed: UInt64,
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

    /// The batches of one epoch, as indices into the examples; the same seed and epoch give the same batches.
    public func batches(epoch: Int = 0) -> [[Int]] {
        var rng = SplitMix64(seed: seed, label: "modality-length/epoch-\(epoch)")
        var full: [[Int]] = [], partial: [[Int]] = []
        for vision in [true, false] {
            var indices = isMultimodal.indices.filter { isMultimodal[$0] == vision }
            rng.shuffle(&indices)
            let batches = lengthGroupedBatches(indices)
            for batch in batches {
                if batch.count == batchSize { full.append(batch) } else if !dropLast { partial.append(batch) }
            }
        }
        rng.shuffle(&full)
        return full + partial
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
