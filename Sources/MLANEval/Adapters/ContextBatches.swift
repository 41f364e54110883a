import MLANModel

/// How a language-model scorer cuts its distinct contexts into batches that `LogLikelihoodScorer.score(documents:)`
/// scores together: shortest contexts first, consecutive ones as many as fit the limits.
///
/// Batching several documents turns each document's small products (a context of ~30 positions, ~4 × 14
/// continuation positions for hellaswag) into products of a few hundred rows, which BLAS runs much closer to its
/// peak. Contexts are right-padded to the batch's longest, so they are batched in order of length (the scorer
/// then batches the continuations by length in the same way).
struct ContextBatches: Equatable {
    /// At most this many contexts per batch.
    var maximumContexts = 8
    /// At most this many padded context positions per batch (contexts × the longest context).
    var maximumContextPositions = 1024

    /// Batches of indices into `lengths` (context lengths): every index once, shortest contexts first (ties in
    /// index order), each batch within the limits; a context that alone exceeds them gets a batch of its own.
    func batches(_ lengths: [Int]) -> [[Int]] {
        LogLikelihoodScorer.lengthSortedBatches(lengths, maximumRows: maximumContexts, maximumPositions: maximumContextPositions)
    }
}
