import Testing
@testable import MLANEval

/// How the language-model scorer cuts its contexts into batches.
@Suite struct ContextBatchesTests {
    @Test func consecutiveContextsFillABatchUpToEachLimit() {
        let batches = ContextBatches(maximumContexts: 3, maximumContextPositions: 40, maximumContinuationPositions: 30)
        let documents: [(context: Int, continuations: [Int])] = [
            (10, [2, 3]), (12, [4]), (5, [1, 1]),  // 3 contexts: the count limit
            (10, [5, 5]), (20, [1]),              // 2 × 20 = 40 context positions; a third makes 3 × 20
            (8, [9, 9, 9]), (9, [2]),              // 3 × 9 = 27 continuation positions; a fourth row makes 4 × 9
            (50, [40]),                            // over both limits alone: a batch of its own
            (1, []),                               // after it: 2 × 50 context positions
        ]
        #expect(batches.ranges(documents) == [0..<3, 3..<5, 5..<6, 6..<7, 7..<8, 8..<9])
        #expect(ContextBatches().ranges([]) == [])
    }
}
