import Foundation
import MLANCore
import MLANData
import MLANTestSupport
import Testing
@testable import MLANModel

/// SmolLM2-135M-Instruct (GGUF Q4_1, dequantized) against Hugging Face transformers on the same file.
@Suite(.serialized) struct SmolLM2ParityTests {
    struct Reference: Decodable {
        struct Prompt: Decodable {
            struct Top: Decodable { let pos: Int; let ids: [Int]; let logits: [Float] }
            struct Greedy: Decodable { let ids: [Int]; let text: String }
            let name: String, kind: String, text: String, ids: [Int]
            let last_logits: [Float]
            let top10_first8: [Top]
            let greedy: Greedy
        }
        let prompts: [Prompt]
        let eos_token_id: Int
    }

    nonisolated(unsafe) static let loaded: Result<LoadedLanguageModel, any Error> = Result { try LanguageModelLoader.load(from: SharedPaths.smolLM2()) }
    static let reference: Reference = try! JSONDecoder().decode(
        Reference.self, from: Data(contentsOf: SharedPaths.fixture("smollm2/reference.json")))

    @Test func ggufConfigDescribesSmolLM2() throws {
        let config = try Self.loaded.get().model.config
        #expect(config.hiddenSize == 576 && config.numHiddenLayers == 30 && config.numAttentionHeads == 9)
        #expect(config.numKeyValueHeads == 3 && config.vocabSize == 49152 && config.tieWordEmbeddings)
    }

    @Test func tokenizerFromGGUFGivesTheReferenceIds() throws {
        let tokenizer = try Self.loaded.get().tokenizer
        for prompt in Self.reference.prompts {
            #expect(tokenizer.encode(prompt.text, addSpecialTokens: false) == prompt.ids, "\(prompt.name)")
        }
    }

    @Test func logitsMatchTransformersWithin2e3() throws {
        let model = try Self.loaded.get().model
        for prompt in Self.reference.prompts {
            let logits = withoutGradients { model.logits(ids: [prompt.ids]) }  // [1, T, V]
            let v = logits.shape[2], t = logits.shape[1]
            let last = Array(logits.scalars[((t - 1) * v)..<(t * v)])
            let lastError = zip(last, prompt.last_logits).map { abs($0 - $1) }.max()!
            #expect(lastError < 2e-3, "\(prompt.name): last-position max |Δ| \(lastError)")
            for top in prompt.top10_first8 {
                for (id, expected) in zip(top.ids, top.logits) {
                    let got = logits.scalars[top.pos * v + id]
                    #expect(abs(got - expected) < 2e-3, "\(prompt.name) pos \(top.pos) id \(id): \(got) vs \(expected)")
                }
            }
        }
    }

    @Test func greedyContinuationsMatchTokenForToken() throws {
        let loaded = try Self.loaded.get()
        let generator = Generator(model: loaded.model, tokenizer: loaded.tokenizer)
        for prompt in Self.reference.prompts {
            let expected = prompt.greedy.ids
            let stops: Set<Int> = [Self.reference.eos_token_id]
            let result = try generator.generate(promptIDs: prompt.ids, maxNewTokens: 32, stopTokenIDs: stops)
            let produced = result.ids + (result.stopReason == .endOfSequence ? [Self.reference.eos_token_id] : [])
            #expect(produced == expected, "\(prompt.name): \(produced) vs \(expected)")
        }
    }

    @Test func logLikelihoodsMatchLMEvalFixture() throws {
        struct Fixture: Decodable {
            struct Pair: Decodable {
                let context_ids: [Int], continuation_ids: [Int]
                let lm_eval_loglik: Double, lm_eval_is_greedy: Bool
            }
            let pairs: [Pair]
        }
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedPaths.fixture("smollm2/loglikelihood.json")))
        let scorer = LogLikelihoodScorer(model: try Self.loaded.get().model)
        for pair in fixture.pairs {
            let score = try scorer.score(context: pair.context_ids, continuations: [pair.continuation_ids])[0]
            #expect(abs(score.logProbability - pair.lm_eval_loglik) < 1e-3, "\(pair.context_ids): \(score.logProbability) vs \(pair.lm_eval_loglik)")
            #expect(score.isGreedy == pair.lm_eval_is_greedy)
        }
        // Batched continuations of one context agree with one-at-a-time scoring.
        let context = fixture.pairs[0].context_ids
        let continuations = fixture.pairs.map(\.continuation_ids)
        let batched = try scorer.score(context: context, continuations: continuations)
        for (i, c) in continuations.enumerated() {
            let single = try scorer.score(context: context, continuations: [c])[0]
            #expect(abs(single.logProbability - batched[i].logProbability) < 1e-4 && single.isGreedy == batched[i].isGreedy)
        }
    }
}
