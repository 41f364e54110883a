/// How a language-model scorer cuts its distinct contexts into batches that `LogLikelihoodScorer.score(documents:)`
/// scores together: consecutive contexts, in request order, as many as fit the limits.
///
/// Batching several documents turns each document's small products (a context of ~50 positions, ~4 × 15
/// continuation positions) into a few products of hundreds of rows, which BLAS runs much closer to its peak.
/// Contexts and continuations are right-padded to the batch's longest, so a batch also bounds that waste and the
/// continuations' logits (`positions × vocabulary` floats).
struct ContextBatches: Equatable {
    /// At most this many contexts per batch.
    var maximumContexts = 8
    /// At most this many padded context positions per batch (contexts × the longest context).
    var maximumContextPositions = 1024
    /// At most this many padded continuation positions per batch (continuations × the longest continuation).
    var maximumContinuationPositions = 768

    /// Consecutive ranges of `documents` (each a context length and its continuations' lengths), in order, each
    /// within the limits; a document that alone exceeds a limit gets a batch of its own.
    func ranges(_ documents: [(context: Int, continuations: [Int])]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0, longestContext = 0, longestContinuation = 0, continuations = 0
        for (index, document) in documents.enumerated() {
            let context = max(longestContext, document.context)
            let continuation = max(longestContinuation, document.continuations.max() ?? 0)
            let rows = continuations + document.continuations.count
            let fits = index - start < maximumContexts
                && (index - start + 1) * context <= maximumContextPositions
                && rows * continuation <= maximumContinuationPositions
            if fits || index == start {
                (longestContext, longestContinuation, continuations) = (context, continuation, rows)
            } else {
                ranges.append(start..<index)
                start = index
                (longestContext, longestContinuation) = (document.context, document.continuations.max() ?? 0)
                continuations = document.continuations.count
            }
        }
        if start < documents.count { ranges.append(start..<documents.count) }
        return ranges
    }
}
