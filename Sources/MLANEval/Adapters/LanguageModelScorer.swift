import Foundation
import MLANCore
import MLANData
import MLANModel

/// Evaluates a Llama-family language model (no vision) with lm-evaluation-harness's conventions.
///
/// Log-likelihood requests are tokenized as pairs (trailing context whitespace moves to the continuation;
/// continuation ids are the whole string's ids past the context's), conditioned on BOS when the context is
/// empty, left-truncated to the model's context length, and scored several contexts at a time, each context
/// computed once and its continuations on its KV cache. Conversations are rendered with `template`.
public final class LanguageModelScorer: Scorer {
    /// The decoder that is scored and generates.
    public let model: LlamaForCausalLM
    /// The model's tokenizer.
    public let tokenizer: any Tokenizer
    /// Renders conversation prompts (the `mlan` protocol); nil leaves conversations unsupported.
    public let template: (any ConversationTemplate)?
    /// Reported as the run's model, e.g. `SmolLM2-135M-Instruct.Q4_1.gguf chatml`.
    public let identity: String

    /// A scorer for `model` with its `tokenizer`, rendering conversations with `template`.
    public init(model: LlamaForCausalLM, tokenizer: any Tokenizer, template: (any ConversationTemplate)?, identity: String) {
        self.model = model
        self.tokenizer = tokenizer
        self.template = template
        self.identity = identity
    }

    /// lm-eval's pair encoding, truncation and rolling windows for this tokenizer and model.
    var encoding: LMEvalEncoding { LMEvalEncoding(tokenizer: tokenizer, maxLength: model.config.maxPositionEmbeddings) }

    /// How distinct contexts are batched for scoring.
    var batches = ContextBatches()

    /// Each continuation's summed log-probability after its context: one pass per distinct context, its
    /// continuations batched on the context's KV cache, and several contexts of similar length scored together
    /// (``ContextBatches``).
    /// - Throws: `ScorerError.unsupported` for a prompt with images; template errors for conversations.
    public func loglikelihood(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResult] {
        var results = [LoglikelihoodResult?](repeating: nil, count: requests.count)
        // Pairs whose context tokens agree share one context (in first-seen order).
        var position: [[Int]: Int] = [:]
        var shared: [(context: [Int], members: [(index: Int, continuation: [Int])])] = []
        for group in LoglikelihoodRequest.groupedByContext(requests) {
            let contextText = try text(of: group.context)
            for index in group.indices {
                let (context, continuation) = encoding.encodePair(contextText, requests[index].continuation)
                let (trimmedContext, trimmedContinuation) = encoding.truncate(context, continuation)
                if let slot = position[trimmedContext] {
                    shared[slot].members.append((index, trimmedContinuation))
                } else {
                    position[trimmedContext] = shared.count
                    shared.append((trimmedContext, [(index, trimmedContinuation)]))
                }
            }
        }
        let scorer = LogLikelihoodScorer(model: model)
        for batch in batches.batches(shared.map { $0.context.count }) {
            let documents = batch.map { (context: shared[$0].context, continuations: shared[$0].members.map { $0.continuation }) }
            let scores = try scorer.score(documents: documents)
            for (document, documentScores) in zip(batch, scores) {
                for (member, score) in zip(shared[document].members, documentScores) {
                    results[member.index] = LoglikelihoodResult(logprob: score.logProbability, isGreedy: score.isGreedy)
                }
            }
        }
        let scored = results.compactMap { $0 }
        guard scored.count == requests.count else {  // every request belongs to exactly one context
            throw EvalError.scorerResultCount(kind: "loglikelihood", expected: requests.count, received: scored.count)
        }
        return scored
    }

    /// The summed log-probability of each prompt's tokens, in windows of the model's length.
    /// - Throws: as ``loglikelihood(_:)``.
    public func loglikelihoodRolling(_ prompts: [Prompt]) throws -> [Double] {
        let scorer = LogLikelihoodScorer(model: model), encoding = encoding
        return try prompts.map { prompt in
            try encoding.rollingLogLikelihood(tokenizer.encode(try text(of: prompt), addSpecialTokens: false), scorer: scorer)
        }
    }

    /// Greedy continuations, stopped at end-of-sequence, a stop string or `maxNewTokens`; prompts longer than
    /// the model's length lose their first tokens.
    /// - Throws: as ``loglikelihood(_:)``.
    public func generate(_ requests: [GenerationRequest]) throws -> [String] {
        let generator = Generator(model: model, tokenizer: tokenizer), encoding = encoding
        return try requests.map { request in
            let ids = encoding.generationPrompt(tokenizer.encode(try text(of: request.prompt), addSpecialTokens: false),
                                                maxNewTokens: request.maxNewTokens)
            return try generator.generate(promptIDs: ids, maxNewTokens: request.maxNewTokens, stopStrings: request.until).text
        }
    }

    /// The prompt as one string; a language model cannot take images.
    func text(of prompt: Prompt) throws -> String {
        guard prompt.images.isEmpty && prompt.imagePlaceholderCount == 0 else {
            throw ScorerError.unsupported(scorer: identity, reason: "a language model cannot read images")
        }
        return try prompt.render(template: template)
    }

    /// lm-eval's `_encode_pair`: context ids, and continuation ids taken from the whole string's encoding.
    func encodePair(_ context: String, _ continuation: String) -> (context: [Int], continuation: [Int]) {
        encoding.encodePair(context, continuation)
    }
}
