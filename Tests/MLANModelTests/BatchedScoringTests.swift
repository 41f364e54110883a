import MLANCore
import Testing
@testable import MLANModel

/// Several documents scored in one padded batch against each scored alone, and what padding does to positions.
@Suite struct BatchedScoringTests {
    static func model(seed: UInt64) -> LlamaForCausalLM {
        var rng = SplitMix64(seed: seed)
        return LlamaForCausalLM(.tiny, rng: &rng)
    }

    /// Row 0 is left-padded by 3: its first three queries see only padding keys (a fully masked attention row,
    /// which must give zeros, not NaN that would reach real rows through 0 × NaN in P·V), and its real tokens
    /// keep the positions 0, 1, … they have alone. Row 1 is right-padded. Both equal their rows run alone.
    @Test func paddingNeverMovesATokenAndFullyMaskedQueriesStayFinite() {
        let model = Self.model(seed: 11)
        let (a, b) = ([5, 9, 2, 7, 1], [3, 4, 8, 6])
        let padded = [[0, 0, 0] + a, b + [0, 0, 0, 0]]
        let padding = [[false, false, false] + a.map { _ in true }, b.map { _ in true } + [false, false, false, false]]
        let (batched, aloneA, aloneB) = withoutGradients {
            (model.logits(ids: padded, padding: padding), model.logits(ids: [a]), model.logits(ids: [b]))  // [B, T, V]
        }
        let v = model.config.vocabSize
        #expect(batched.scalars.allSatisfy { $0.isFinite })
        let rowA = Array(batched.scalars[(3 * v)..<(8 * v)]), rowB = Array(batched.scalars[(8 * v)..<(12 * v)])
        #expect(zip(rowA, aloneA.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(rowB, aloneB.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(LlamaModel.positions(start: 2, count: 3, padding: [[false, true, true, false, true]]) == [1, 2, 2])
        #expect(LlamaModel.positions(start: 2, count: 3, padding: nil) == [2, 3, 4])
    }

    /// Continuation rows run shortest first in batches of at most `continuationPositions` padded positions.
    @Test func continuationRowsAreBatchedShortestFirst() {
        let lengths = [3, 0, 100, 1, 3, 2, 300]
        let batches = LogLikelihoodScorer.continuationBatches(lengths)
        #expect(batches.first == [3, 5, 0, 4] && batches.suffix(2) == [[2], [6]])
        let many = LogLikelihoodScorer.continuationBatches(Array(repeating: 10, count: 60))
        #expect(many.map(\.count) == [25, 25, 10] && many.joined().sorted() == Array(0..<60))
    }

    /// `lastLogits` of right-padded rows reads each row's last real position.
    @Test func lastLogitsReadEachRowsLastRealPosition() {
        let model = Self.model(seed: 12)
        let (a, b) = ([5, 9, 2], [3, 4, 8, 6, 1])
        let (batched, aloneA, aloneB) = withoutGradients {
            let embeddings = model.embed(batch: [a + [0, 0], b])
            return (model.lastLogits(embeddings: embeddings, padding: [[true, true, true, false, false], b.map { _ in true }]),
                    model.lastLogits(embeddings: model.embed(batch: [a])), model.lastLogits(embeddings: model.embed(batch: [b])))
        }
        #expect(zip(batched.scalars, aloneA.scalars + aloneB.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    /// Documents of different context lengths (1 to 12) and continuation lengths (1 to 6, one document with
    /// single-token continuations only, one with none) scored together give each document's scores alone.
    @Test func documentsScoredTogetherEqualEachScoredAlone() throws {
        let scorer = LogLikelihoodScorer(model: Self.model(seed: 13))
        let documents: [(context: [Int], continuations: [[Int]])] = [
            ([7, 3, 9, 11, 2, 5, 8], [[4], [6, 1, 2], [9, 9, 9, 9, 9, 9]]),
            ([42], [[3, 5], [8]]),
            ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [[13], [14]]),
            ([100, 17, 64], []),
            ([5, 6, 7], [[1, 2, 3, 4], [127, 0], [3]]),
        ]
        let together = try scorer.score(documents: documents)
        #expect(together.map(\.count) == documents.map(\.continuations.count))
        for (index, document) in documents.enumerated() {
            let alone = try scorer.score(context: document.context, continuations: document.continuations)
            for (got, want) in zip(together[index], alone) {
                #expect(abs(got.logProbability - want.logProbability) < 1e-5, "document \(index)")
                #expect(got.isGreedy == want.isGreedy && got.tokenCount == want.tokenCount)
            }
        }
        let long = [(context: [9, 8], continuations: (1...40).map { Array(repeating: 3, count: $0 % 13 + 1) })]
        let longTogether = try scorer.score(documents: long + documents)
        let longAlone = try scorer.score(context: long[0].context, continuations: long[0].continuations)
        #expect(zip(longTogether[0], longAlone).allSatisfy { abs($0.logProbability - $1.logProbability) < 1e-5 })
        let error = #expect(throws: ModelError.self) { try scorer.score(documents: [([1], [[2]]), ([3], [[4], []])]) }
        #expect(error?.description == "continuation 1 (of 2) of document 1 to score is empty")
    }
}
