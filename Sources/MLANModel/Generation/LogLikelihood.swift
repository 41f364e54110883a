import Foundation
import MLANCore

/// The log-probability of a continuation and whether greedy decoding would have produced it.
public struct ContinuationScore: Sendable, Equatable {
    /// Sum of log p(token | everything before it) over the continuation tokens.
    public var logProbability: Double
    /// True when every continuation token is the argmax at its position.
    public var isGreedy: Bool
    /// The number of continuation tokens scored.
    public var tokenCount: Int
}

/// Scores continuations of a context as lm-evaluation-harness's `loglikelihood` does, computing the context
/// once (KV cache) and the continuations of one context together as a batch.
public struct LogLikelihoodScorer {
    public let model: any CausalLanguageModel

    public init(model: any CausalLanguageModel) { self.model = model }

    /// Scores each continuation (token ids, non-empty) after `context` (token ids, non-empty).
    /// - Throws: `ModelError.emptyInput` for an empty context or continuation, `ModelError.tokenOutOfRange`
    ///   for an id outside the vocabulary, `ModelError.sequenceTooLong` when context and continuation do not
    ///   fit the model's context.
    public func score(context: [Int], continuations: [[Int]]) throws -> [ContinuationScore] {
        guard !context.isEmpty else {
            throw ModelError.emptyInput("the context to score after (lm-eval puts EOS or BOS there when empty)")
        }
        try model.checkTokens(context)
        return try score(contextEmbeddings: withoutGradients { model.embedRow(context) }, continuations: continuations)
    }

    /// Scores each continuation (token ids, non-empty) after a context given as embeddings `[1, C, D]`, C ≥ 1
    /// (e.g. text with spliced image features).
    /// - Throws: `ModelError.inputShape` for embeddings that are not `[1, C, D]` with C ≥ 1 (the message shows
    ///   C = 1), and as
    ///   `score(context:continuations:)`.
    public func score(contextEmbeddings: Tensor, continuations: [[Int]]) throws -> [ContinuationScore] {
        guard contextEmbeddings.rank == 3, contextEmbeddings.shape[0] == 1, contextEmbeddings.shape[1] > 0 else {
            let width = contextEmbeddings.shape.last ?? 0
            throw ModelError.inputShape(what: "context embeddings", shape: contextEmbeddings.shape, expected: [1, 1, width])
        }
        if let empty = continuations.firstIndex(where: \.isEmpty) {
            throw ModelError.emptyInput("continuation \(empty) (of \(continuations.count)) to score")
        }
        for ids in continuations { try model.checkTokens(ids) }
        guard let longestContinuation = continuations.map(\.count).max() else { return [] }
        try model.checkLength(contextEmbeddings.shape[1] + longestContinuation - 1)
        return withoutGradients {
            let cache = model.makeCache()
            let lastContext = model.lastLogits(embeddings: contextEmbeddings, padding: nil, cache: cache).scalars  // [1, V]
            let v = lastContext.count
            // Every continuation but its last token runs as one batch on copies of the context's cache.
            let longest = longestContinuation - 1
            var restLogits = Tensor.zeros([0])
            if longest > 0 {
                let rows = continuations.map { ids in Array(ids.dropLast()) + Array(repeating: ids[0], count: longest - (ids.count - 1)) }
                let batchCache = cache.tiled(rows.count)
                let contextLength = batchCache.length
                let padding = rows.indices.map { r in
                    Array(repeating: true, count: contextLength) + (0..<longest).map { $0 < continuations[r].count - 1 }
                }
                let embeddings = model.embed(rows.flatMap { $0 }).reshaped([rows.count, longest, -1])  // [N, L, D]
                restLogits = model.logits(embeddings: embeddings, padding: padding, cache: batchCache)  // [N, L, V]
            }
            return continuations.enumerated().map { r, ids in
                var total = 0.0, greedy = true
                for (position, token) in ids.enumerated() {
                    let row: ArraySlice<Float>
                    if position == 0 {
                        row = lastContext[...]
                    } else {
                        let start = (r * longest + position - 1) * v
                        row = restLogits.scalars[start..<(start + v)]
                    }
                    let (logProbability, isArgmax) = Self.logProbability(of: token, in: row)
                    total += logProbability
                    greedy = greedy && isArgmax
                }
                return ContinuationScore(logProbability: total, isGreedy: greedy, tokenCount: ids.count)
            }
        }
    }

    /// log softmax(row)[token] (exponentials summed in Double) and whether `token` is the row's first argmax.
    static func logProbability(of token: Int, in row: ArraySlice<Float>) -> (Double, Bool) {
        row.withUnsafeBufferPointer { LogProbability.of(token, in: $0) }
    }
}
