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
/// once (KV cache) and the continuations of one context together as a batch; `score(documents:)` does the same
/// for several contexts at once (their contexts as one right-padded batch, then all their continuations in batches
/// of similar length, each on its context's cache row), which gives the same scores as scoring each context alone.
public struct LogLikelihoodScorer {
    public let model: any CausalLanguageModel

    public init(model: any CausalLanguageModel) { self.model = model }

    /// Scores each continuation (token ids, non-empty) after `context` (token ids, non-empty).
    /// - Throws: `ModelError.emptyInput` for an empty context or continuation, `ModelError.tokenOutOfRange`
    ///   for an id outside the vocabulary, `ModelError.sequenceTooLong` when context and continuation do not
    ///   fit the model's context.
    public func score(context: [Int], continuations: [[Int]]) throws -> [ContinuationScore] {
        try score(documents: [(context: context, continuations: continuations)], naming: { _ in "" })[0]
    }

    /// Scores each document's continuations (token ids, non-empty) after its context (token ids, non-empty):
    /// `result[d][c]` is document d's continuation c. All contexts run as one batch, then the continuations in
    /// batches of similar length, so many small documents make a few large products; the scores equal each document's
    /// `score(context:continuations:)` up to float rounding.
    /// - Throws: as `score(context:continuations:)`, naming the document.
    public func score(documents: [(context: [Int], continuations: [[Int]])]) throws -> [[ContinuationScore]] {
        try score(documents: documents, naming: { " of document \($0)" })
    }

    private func score(documents: [(context: [Int], continuations: [[Int]])],
                       naming document: (Int) -> String) throws -> [[ContinuationScore]] {
        for (index, (context, continuations)) in documents.enumerated() {
            guard !context.isEmpty else {
                throw ModelError.emptyInput("the context\(document(index)) to score after (lm-eval puts EOS or BOS there when empty)")
            }
            try model.checkTokens(context)
            try check(continuations, after: context.count, document: document(index))
        }
        guard let width = documents.map(\.context.count).max() else { return [] }
        return withoutGradients {
            let padded = documents.flatMap { $0.context + Array(repeating: $0.context[0], count: width - $0.context.count) }
            let embeddings = model.embed(padded).reshaped([documents.count, width, -1])  // [B, C, D], right-padded
            return scoreChecked(contextEmbeddings: embeddings, lengths: documents.map(\.context.count),
                                continuations: documents.map(\.continuations))
        }
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
        try check(continuations, after: contextEmbeddings.shape[1], document: "")
        return withoutGradients {
            scoreChecked(contextEmbeddings: contextEmbeddings, lengths: [contextEmbeddings.shape[1]],
                         continuations: [continuations])[0]
        }
    }

    /// Throws unless every continuation is non-empty, in the vocabulary, and fits after `contextLength` positions.
    private func check(_ continuations: [[Int]], after contextLength: Int, document: String) throws {
        if let empty = continuations.firstIndex(where: \.isEmpty) {
            throw ModelError.emptyInput("continuation \(empty) (of \(continuations.count))\(document) to score")
        }
        for ids in continuations { try model.checkTokens(ids) }
        if let longest = continuations.map(\.count).max() { try model.checkLength(contextLength + longest - 1) }
    }

    /// At most this many padded positions (continuations × their longest) per continuation batch: rows are taken
    /// shortest first, so a batch pads little, and its logits (positions × vocabulary floats) stay bounded.
    static let continuationPositions = 256

    /// The scores of checked input: contexts `[B, C, D]` right-padded (row b's first `lengths[b]` positions are
    /// real), and each row's continuations.
    private func scoreChecked(contextEmbeddings: Tensor, lengths: [Int], continuations: [[[Int]]]) -> [[ContinuationScore]] {
        let width = contextEmbeddings.shape[1]
        let owners = continuations.indices.flatMap { d in Array(repeating: d, count: continuations[d].count) }
        let rows = Array(continuations.joined())  // every continuation, document by document
        guard !rows.isEmpty else { return continuations.map { _ in [] } }
        let contextPadding = lengths.allSatisfy { $0 == width } ? nil : lengths.map { n in (0..<width).map { $0 < n } }
        let cache = model.makeCache()
        // Each context's last real position predicts its continuations' first tokens.
        let lastContext = model.lastLogits(embeddings: contextEmbeddings, padding: contextPadding, cache: cache).scalars  // [B, V]
        let v = model.vocabularySize
        var scores = rows.indices.map { r in
            let start = owners[r] * v
            let (logProbability, isArgmax) = Self.logProbability(of: rows[r][0], in: lastContext[start..<(start + v)])
            return ContinuationScore(logProbability: logProbability, isGreedy: isArgmax, tokenCount: rows[r].count)
        }
        // Every continuation but its first and last token runs on its document's row of the cache, in batches of
        // rows of similar length.
        for batch in Self.continuationBatches(rows.map { $0.count - 1 }) {
            let longest = rows[batch.last!].count - 1                                      // rows shortest first
            let padded = batch.map { r in Array(rows[r].dropLast()) + Array(repeating: rows[r][0], count: longest - (rows[r].count - 1)) }
            let padding = batch.map { r in
                (contextPadding?[owners[r]] ?? Array(repeating: true, count: width)) + (0..<longest).map { $0 < rows[r].count - 1 }
            }
            let embeddings = model.embed(padded.flatMap { $0 }).reshaped([batch.count, longest, -1])  // [N, L, D]
            let batchCache = cache.gathered(rows: batch.map { owners[$0] }, reserving: longest)
            let logits = model.logits(embeddings: embeddings, padding: padding, cache: batchCache).scalars  // [N, L, V]
            for (i, r) in batch.enumerated() {
                for (position, token) in rows[r].enumerated().dropFirst() {
                    let start = (i * longest + position - 1) * v
                    let (logProbability, isArgmax) = Self.logProbability(of: token, in: logits[start..<(start + v)])
                    scores[r].logProbability += logProbability
                    scores[r].isGreedy = scores[r].isGreedy && isArgmax
                }
            }
        }
        var byDocument = continuations.map { _ in [ContinuationScore]() }
        for (owner, score) in zip(owners, scores) { byDocument[owner].append(score) }
        return byDocument
    }

    /// Rows (by index) that need a pass after the context (`lengths[r]` > 0 positions), shortest first, cut into
    /// batches of at most `continuationPositions` padded positions (a longer row alone).
    static func continuationBatches(_ lengths: [Int]) -> [[Int]] {
        lengthSortedBatches(lengths, including: { $0 > 0 }, maximumPositions: continuationPositions)
    }

    /// Indices into `lengths` (those `including` accepts), shortest first (ties in index order), cut into batches
    /// of at most `maximumRows` rows and `maximumPositions` padded positions (rows × the batch's longest); an item
    /// that alone exceeds the limit gets a batch of its own. Batching by length keeps right-padding small.
    public static func lengthSortedBatches(_ lengths: [Int], including: (Int) -> Bool = { _ in true },
                                           maximumRows: Int = .max, maximumPositions: Int) -> [[Int]] {
        let order = lengths.indices.filter { including(lengths[$0]) }.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var batches: [[Int]] = []
        for index in order {  // sorted: each new item is its batch's longest
            if let last = batches.last, last.count < maximumRows, (last.count + 1) * lengths[index] <= maximumPositions {
                batches[batches.count - 1].append(index)
            } else {
                batches.append([index])
            }
        }
        return batches
    }

    /// log softmax(row)[token] (exponentials summed in Double) and whether `token` is the row's first argmax.
    static func logProbability(of token: Int, in row: ArraySlice<Float>) -> (Double, Bool) {
        row.withUnsafeBufferPointer { LogProbability.of(token, in: $0) }
    }
}
