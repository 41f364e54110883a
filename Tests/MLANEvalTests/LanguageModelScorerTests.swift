import Foundation
import MLANCore
import MLANModel
import MLANTestSupport
import Testing
@testable import MLANEval

/// The SmolLM2 adapter against lm-evaluation-harness's numbers (`fixtures/smollm2/loglikelihood.json`).
@Suite(.serialized) struct LanguageModelScorerTests {
    struct Fixture: Decodable {
        struct Pair: Decodable {
            let context: String, continuation: String
            let context_ids: [Int], continuation_ids: [Int]
            let lm_eval_loglik: Double, lm_eval_is_greedy: Bool
        }
        struct Choice: Decodable {
            let question: String, choices: [String], gold: Int
            let loglik: [Double], pred: Int, pred_norm: Int
        }
        let pairs: [Pair]
        let multiple_choice: [Choice]
    }

    nonisolated(unsafe) static let scorer: Result<LanguageModelScorer, any Error> = Result {
        let loaded = try LanguageModelLoader.load(from: SharedPaths.smolLM2())
        return LanguageModelScorer(model: loaded.model, tokenizer: loaded.tokenizer, template: nil, identity: "SmolLM2")
    }
    /// The reference pairs and choices; throws (failing the test that asks) when the fixture is missing.
    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedPaths.fixture("smollm2/loglikelihood.json")))
    }

    @Test func pairEncodingGivesLMEvalTokenIds() throws {
        let scorer = try Self.scorer.get()
        for pair in try Self.fixture().pairs {
            let (context, continuation) = scorer.encodePair(pair.context, pair.continuation)
            #expect(context == pair.context_ids && continuation == pair.continuation_ids, "\(pair.context)|\(pair.continuation)")
        }
    }

    @Test func loglikelihoodsMatchLMEvalWithin1e3() throws {
        let scorer = try Self.scorer.get()
        let pairs = try Self.fixture().pairs
        let requests = pairs.map { LoglikelihoodRequest(context: Prompt(text: $0.context), continuation: $0.continuation) }
        let results = try scorer.loglikelihood(requests)
        #expect(results.count == pairs.count)
        for (pair, result) in zip(pairs, results) {
            #expect(abs(result.logprob - pair.lm_eval_loglik) < 1e-3, "\(pair.context)|\(pair.continuation): \(result.logprob)")
            #expect(result.isGreedy == pair.lm_eval_is_greedy)
        }
    }

    /// The choices of a document share one pass over the context (its KV cache, copied for the choices, which run
    /// as one batch): the same log-likelihoods within 1e-4 as each context + choice run whole without a cache.
    @Test func hellaswagChoicesScoredTogetherEqualWholeSequences() throws {
        let scorer = try Self.scorer.get()
        let task = try BuiltinTasks.task(named: "hellaswag", protocol: .lmEval, options: sharedOptions)
        for index in 0..<2 {
            guard case .multipleChoice(let requests, _, _) = try firstInstance(task, index: index).kind else {
                Issue.record("hellaswag is multiple choice")
                return
            }
            #expect(requests.count == 4 && requests.allSatisfy { $0.context == requests[0].context })
            let batched = try scorer.loglikelihood(requests)
            for (request, result) in zip(requests, batched) {
                let (context, continuation) = scorer.encodePair(try request.context.render(template: nil), request.continuation)
                let ids = context + continuation
                let logits = withoutGradients { scorer.model.logits(ids: [ids]) }  // [1, T, V]
                let v = logits.shape[2]
                var whole = 0.0, greedy = true
                for (k, token) in continuation.enumerated() {
                    let row = Array(logits.scalars[((context.count + k - 1) * v)..<((context.count + k) * v)])
                    let peak = row.max() ?? 0
                    let logSum = Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1 - peak)) })
                    whole += Double(row[token] - peak) - logSum
                    greedy = greedy && row.firstIndex(of: peak) == token
                }
                #expect(abs(result.logprob - whole) < 1e-4, "document \(index): \(result.logprob) vs \(whole)")
                #expect(result.isGreedy == greedy)
            }
        }
    }

    /// Several hellaswag documents (contexts and choices of different token lengths) scored together, as the
    /// scorer batches them, give each document's log-likelihoods (within 1e-4) and greedy flags scored alone.
    @Test func documentsScoredTogetherEqualEachScoredAlone() throws {
        let scorer = try Self.scorer.get()
        let alone = LanguageModelScorer(model: scorer.model, tokenizer: scorer.tokenizer, template: nil, identity: "alone")
        alone.batches.maximumContexts = 1
        let task = try BuiltinTasks.task(named: "hellaswag", protocol: .lmEval, options: sharedOptions)
        var documents: [[LoglikelihoodRequest]] = []
        for index in 0..<6 {
            guard case .multipleChoice(let requests, _, _) = try firstInstance(task, index: index).kind else {
                Issue.record("hellaswag is multiple choice")
                return
            }
            documents.append(requests)
        }
        let encoded = try documents.map { requests in
            try requests.map { scorer.encodePair(try $0.context.render(template: nil), $0.continuation) }
        }
        #expect(Set(encoded.map { $0[0].context.count }).count > 3, "contexts of different lengths")
        #expect(Set(encoded.flatMap { $0.map(\.continuation.count) }).count > 5, "continuations of different lengths")
        #expect(scorer.batches.batches(encoded.map { $0[0].context.count }).count < documents.count,
                "the scorer batches several documents")
        let together = try scorer.loglikelihood(documents.flatMap { $0 })
        let separately = try documents.flatMap { try alone.loglikelihood($0) }
        #expect(together.count == separately.count)
        for (got, want) in zip(together, separately) {
            #expect(abs(got.logprob - want.logprob) < 1e-4, "\(got.logprob) vs \(want.logprob)")
            #expect(got.isGreedy == want.isGreedy)
        }
    }

    @Test func multipleChoiceItemsPickTheReferenceAnswers() throws {
        let scorer = try Self.scorer.get()
        for item in try Self.fixture().multiple_choice {
            let prompt = Prompt(text: item.question)
            let results = try scorer.loglikelihood(item.choices.map { LoglikelihoodRequest(context: prompt, continuation: $0) })
            for (got, want) in zip(results, item.loglik) { #expect(abs(got.logprob - want) < 1e-3) }
            #expect(results.indices.max { results[$0].logprob < results[$1].logprob } == item.pred)
        }
    }

    @Test func generationStopsAtUntilStrings() throws {
        let scorer = try Self.scorer.get()
        let out = try scorer.generate([GenerationRequest(prompt: Prompt(text: "The capital of France is"), until: ["."], maxNewTokens: 10)])
        #expect(out == [" Paris"])
    }
}
