import Testing
@testable import MLANEval

/// How the language-model scorer cuts its contexts into batches.
@Suite struct ContextBatchesTests {
    @Test func contextsOfSimilarLengthFillABatchUpToEachLimit() {
        let batches = ContextBatches(maximumContexts: 3, maximumContextPositions: 40)
        let lengths = [12, 5, 10, 10, 20, 8, 50, 9, 20]
        // Shortest first: 5, 8, 9 (the count limit), 10, 10, 12 (3 × 12 = 36), 20, 20 (2 × 20 = 40), then 50 alone.
        #expect(batches.batches(lengths) == [[1, 5, 7], [2, 3, 0], [4, 8], [6]])
        #expect(ContextBatches().batches([]) == [])
    }
}
