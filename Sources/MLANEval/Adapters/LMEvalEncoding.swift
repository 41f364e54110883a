import MLANData
import MLANModel

/// lm-evaluation-harness's token conventions, shared by the model adapters: pair encoding, left truncation
/// and rolling windows.
struct LMEvalEncoding {
    /// The tokenizer both halves of a pair are encoded with.
    let tokenizer: any Tokenizer
    /// The token lm-eval conditions on when a context is empty (BOS, else end-of-text).
    let prefixTokenID: Int
    /// The longest input the model takes.
    let maxLength: Int

    /// Conventions for `tokenizer` and a model of `maxLength` positions.
    init(tokenizer: any Tokenizer, maxLength: Int) {
        self.tokenizer = tokenizer
        prefixTokenID = tokenizer.bosTokenID ?? tokenizer.eosTokenID ?? 0
        self.maxLength = maxLength
    }

    /// The context's trailing whitespace moved to the front of the continuation (lm-eval's first step).
    static func movingTrailingWhitespace(_ context: String, _ continuation: String) -> (context: String, continuation: String) {
        let trailing = context.reversed().prefix { $0.isWhitespace }.count
        guard trailing > 0 else { return (context, continuation) }
        return (String(context.dropLast(trailing)), String(context.suffix(trailing)) + continuation)
    }

    /// lm-eval's `_encode_pair`: context ids, and continuation ids taken from the whole string's encoding.
    /// An empty context becomes `[prefixTokenID]`.
    func encodePair(_ context: String, _ continuation: String) -> (context: [Int], continuation: [Int]) {
        let (context, continuation) = Self.movingTrailingWhitespace(context, continuation)
        guard !context.isEmpty else {
            return ([prefixTokenID], tokenizer.encode(continuation, addSpecialTokens: false))
        }
        let (contextIDs, continuationIDs) = continuationIDs(after: context, continuation)
        return (contextIDs, continuationIDs)
    }

    /// The ids of `context` (non-empty, whitespace already moved) and of `continuation` as the ids of
    /// `context + continuation` past the context's.
    func continuationIDs(after context: String, _ continuation: String) -> (context: [Int], continuation: [Int]) {
        let whole = tokenizer.encode(context + continuation, addSpecialTokens: false)
        let contextIDs = tokenizer.encode(context, addSpecialTokens: false)
        return (contextIDs, Array(whole.dropFirst(contextIDs.count)))
    }

    /// Keeps the last `maxLength + 1` tokens of context + continuation, as lm-eval does.
    func truncate(_ context: [Int], _ continuation: [Int]) -> ([Int], [Int]) {
        let overflow = context.count + continuation.count - (maxLength + 1)
        guard overflow > 0 else { return (context, continuation) }
        if overflow < context.count { return (Array(context.dropFirst(overflow)), continuation) }
        return (Array(continuation.prefix(1)), Array(continuation.suffix(maxLength)))
    }

    /// The last ids of a generation prompt that leave room for `maxNewTokens`; an empty prompt becomes
    /// `[prefixTokenID]`.
    func generationPrompt(_ ids: [Int], maxNewTokens: Int) -> [Int] {
        if ids.isEmpty { return [prefixTokenID] }
        return ids.count > maxLength - maxNewTokens ? Array(ids.suffix(max(1, maxLength - maxNewTokens))) : ids
    }

    /// The summed log-probability of all of `ids`: disjoint windows of at most `maxLength` predicted tokens,
    /// each conditioned on what precedes it, the first on `prefixTokenID`.
    /// - Throws: as `LogLikelihoodScorer.score(context:continuations:)`.
    func rollingLogLikelihood(_ ids: [Int], scorer: LogLikelihoodScorer) throws -> Double {
        var total = 0.0, start = 0
        while start < ids.count {
            let end = min(ids.count, start + maxLength)
            let context = start == 0 ? [prefixTokenID] : Array(ids[max(0, end - maxLength - 1)..<start])
            total += try scorer.score(context: context, continuations: [Array(ids[start..<end])])[0].logProbability
            start = end
        }
        return total
    }
}
