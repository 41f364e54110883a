import MLANCore
import MLANData

/// Why generation ended.
public enum StopReason: String, Sendable, Codable {
    case endOfSequence, stopString, maxNewTokens
}

/// What a generation produced.
public struct GenerationResult: Sendable {
    /// The new token ids (the stop token and anything after a stop string excluded from `text`, not from ids).
    public var ids: [Int]
    /// The decoded continuation, cut before the first stop string.
    public var text: String
    public var stopReason: StopReason
}

/// Autoregressive decoding with a KV cache: the prompt is computed once, then each new token costs one position.
public struct Generator {
    public let model: any CausalLanguageModel
    public let tokenizer: any Tokenizer

    public init(model: any CausalLanguageModel, tokenizer: any Tokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// Continues `promptIDs`.
    ///
    /// Stops at any id in `stopTokenIDs` (the tokenizer's EOS by default), when the decoded continuation
    /// contains one of `stopStrings`, or after `maxNewTokens`. `onText` receives the text as it becomes
    /// final (held back while it could still be the start of a stop string or an incomplete character).
    /// - Throws: `ModelError.emptyInput` for no prompt tokens, `ModelError.tokenOutOfRange` for an id outside
    ///   the vocabulary, and as `generate(promptEmbeddings:…)`.
    public func generate(promptIDs: [Int], maxNewTokens: Int, sampler: Sampler = .greedy,
                         stopStrings: [String] = [], stopTokenIDs: Set<Int>? = nil,
                         onText: ((String) -> Void)? = nil) throws -> GenerationResult {
        guard !promptIDs.isEmpty else { throw ModelError.emptyInput("the prompt to generate from") }
        try model.checkTokens(promptIDs)
        return try generate(promptEmbeddings: withoutGradients { model.embedRow(promptIDs) }, maxNewTokens: maxNewTokens,
                        sampler: sampler, stopStrings: stopStrings, stopTokenIDs: stopTokenIDs, onText: onText)
    }

    /// Continues a prompt given as embeddings `[1, T, D]` (e.g. text with spliced image features).
    /// - Throws: `ModelError.inputShape` for embeddings that are not `[1, T, D]` with T ≥ 1,
    ///   `ModelError.invalidSetting` for a negative `maxNewTokens`, and `ModelError.sequenceTooLong` when the
    ///   prompt and `maxNewTokens` do not fit the model's context.
    public func generate(promptEmbeddings: Tensor, maxNewTokens: Int, sampler: Sampler = .greedy,
                         stopStrings: [String] = [], stopTokenIDs: Set<Int>? = nil,
                         onText: ((String) -> Void)? = nil) throws -> GenerationResult {
        guard promptEmbeddings.rank == 3, promptEmbeddings.shape[0] == 1, promptEmbeddings.shape[1] > 0 else {
            throw ModelError.inputShape(what: "prompt embeddings", shape: promptEmbeddings.shape,
                                        expected: [1, 1, promptEmbeddings.shape.last ?? 0])
        }
        guard maxNewTokens >= 0 else {
            throw ModelError.invalidSetting(name: "maxNewTokens", value: "\(maxNewTokens)", reason: "must be >= 0")
        }
        // The last new token is never fed back, so T + maxNewTokens - 1 positions run.
        try model.checkLength(promptEmbeddings.shape[1] + Swift.max(maxNewTokens, 1) - 1)
        return withoutGradients {
            var sampler = sampler
            let stops = stopTokenIDs ?? Set([tokenizer.eosTokenID].compactMap { $0 })
            let cache = model.makeCache()
            var logits = model.lastLogits(embeddings: promptEmbeddings, padding: nil, cache: cache)  // [1, V]
            var ids: [Int] = [], emitted = 0, text = ""
            var reason = StopReason.maxNewTokens
            while ids.count < maxNewTokens {
                let next = sampler.next(from: logits.scalars[...])
                if stops.contains(next) { reason = .endOfSequence; break }
                ids.append(next)
                text = tokenizer.decode(ids, skipSpecialTokens: false)
                if let cut = Self.firstStop(in: text, stopStrings) {
                    text = String(text[..<cut])
                    reason = .stopString
                    break
                }
                let safe = Self.safePrefixLength(text, stopStrings)
                if safe > emitted, let onText {
                    onText(String(text.dropFirst(emitted).prefix(safe - emitted)))
                    emitted = safe
                }
                if ids.count == maxNewTokens { break }
                logits = model.lastLogits(embeddings: model.embedRow([next]), padding: nil, cache: cache)
            }
            if let onText, text.count > emitted { onText(String(text.dropFirst(emitted))) }
            return GenerationResult(ids: ids, text: text, stopReason: reason)
        }
    }

    /// Where the earliest stop string starts in `text`.
    static func firstStop(in text: String, _ stopStrings: [String]) -> String.Index? {
        stopStrings.filter { !$0.isEmpty }.compactMap { text.range(of: $0)?.lowerBound }.min()
    }

    /// How many leading characters of `text` are final: not part of a trailing incomplete character and not a
    /// suffix that could still grow into a stop string.
    static func safePrefixLength(_ text: String, _ stopStrings: [String]) -> Int {
        var limit = text.count
        if text.hasSuffix("\u{FFFD}") { limit -= 1 }
        for stop in stopStrings where !stop.isEmpty {
            for length in stride(from: min(stop.count - 1, limit), through: 1, by: -1)
            where text.prefix(limit).hasSuffix(stop.prefix(length)) {
                limit = min(limit, text.prefix(limit).count - length)
                break
            }
        }
        return max(0, limit)
    }
}
