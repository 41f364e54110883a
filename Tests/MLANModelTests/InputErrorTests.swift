import Foundation
import MLANCore
import MLANData
import Testing
@testable import MLANModel

/// What a file, flag or task can hand the model throws a `ModelError` instead of trapping.
@Suite struct InputErrorTests {
    /// One character per id, enough for `Generator` to decode.
    struct LetterTokenizer: Tokenizer {
        var vocabularySize: Int { 128 }
        var bosTokenID: Int? { nil }
        var eosTokenID: Int? { nil }
        var padTokenID: Int? { nil }
        func encode(_ text: String, addSpecialTokens: Bool) -> [Int] { text.unicodeScalars.map { Int($0.value) % 128 } }
        func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
            String(String.UnicodeScalarView(ids.compactMap { Unicode.Scalar(UInt32($0)) }))
        }
        func tokenID(_ token: String) -> Int? { encode(token, addSpecialTokens: false).first }
        func token(_ id: Int) -> String? { decode([id], skipSpecialTokens: false) }
    }

    static func model() -> LlamaForCausalLM {
        var rng = SplitMix64(seed: 11)
        return LlamaForCausalLM(.tiny, rng: &rng)  // 128 tokens, 128 positions
    }

    @Test func anEmptyContinuationIsAnError() {
        let scorer = LogLikelihoodScorer(model: Self.model())
        let error = #expect(throws: ModelError.self) { try scorer.score(context: [1, 2], continuations: [[3], []]) }
        #expect(error?.description == "continuation 1 (of 2) to score is empty")
    }

    @Test func anEmptyContextIsAnError() {
        let scorer = LogLikelihoodScorer(model: Self.model())
        let error = #expect(throws: ModelError.self) { try scorer.score(context: [], continuations: [[3]]) }
        #expect(error?.description.hasPrefix("the context to score after") == true)
        #expect(throws: ModelError.self) {
            try scorer.score(contextEmbeddings: Tensor.zeros([1, 0, 32]), continuations: [[3]])
        }
    }

    @Test func scoringPastTheContextLengthIsAnError() throws {
        let scorer = LogLikelihoodScorer(model: Self.model())
        let context = Array(repeating: 5, count: 120)
        let fits = try scorer.score(context: context, continuations: [Array(repeating: 6, count: 9)])  // 128 positions
        #expect(fits.count == 1 && fits[0].tokenCount == 9)
        let error = #expect(throws: ModelError.self) {
            try scorer.score(context: context, continuations: [[6], Array(repeating: 6, count: 10)])
        }
        #expect(error?.description == "Sequence of 129 tokens exceeds the limit of 128")
    }

    @Test func tokenIDsOutsideTheVocabularyAreAnError() {
        let scorer = LogLikelihoodScorer(model: Self.model())
        let error = #expect(throws: ModelError.self) { try scorer.score(context: [1, 128], continuations: [[3]]) }
        #expect(error?.description == "Token id 128 is outside the vocabulary of 128")
        #expect(throws: ModelError.self) { try scorer.score(context: [1], continuations: [[-1]]) }
        let generator = Generator(model: Self.model(), tokenizer: LetterTokenizer())
        #expect(throws: ModelError.self) { try generator.generate(promptIDs: [400], maxNewTokens: 1) }
    }

    @Test func anEmptyPromptAndAPromptPastTheContextAreErrors() throws {
        let generator = Generator(model: Self.model(), tokenizer: LetterTokenizer())
        let empty = #expect(throws: ModelError.self) { try generator.generate(promptIDs: [], maxNewTokens: 2) }
        #expect(empty?.description == "the prompt to generate from is empty")
        let prompt = Array(repeating: 65, count: 100)
        #expect(try generator.generate(promptIDs: prompt, maxNewTokens: 29).ids.count == 29)  // 128 positions run
        let long = #expect(throws: ModelError.self) { try generator.generate(promptIDs: prompt, maxNewTokens: 30) }
        #expect(long?.description == "Sequence of 129 tokens exceeds the limit of 128")
        #expect(throws: ModelError.self) { try generator.generate(promptIDs: [65], maxNewTokens: -1) }
    }

    @Test(arguments: [(Float(-0.5), nil, nil), (1, -1, nil), (1, nil, -0.1), (1, nil, 1.5), (Float.nan, nil, nil)] as [(Float, Int?, Float?)])
    func samplerSettingsOutsideTheirRangeAreErrors(temperature: Float, topK: Int?, topP: Float?) {
        #expect(throws: ModelError.self) { try Sampler(temperature: temperature, topK: topK, topP: topP) }
    }

    @Test func samplerSettingsInsideTheirRangeAreAccepted() throws {
        let sampler = try Sampler(temperature: 0.7, topK: 0, topP: 1, seed: 3)
        #expect(sampler.temperature == 0.7 && Sampler.greedy.temperature == 0)
    }

    @Test func aVisionFeatureLayerTheTowerLacksIsAnError() throws {
        var rng = SplitMix64(seed: 4)
        let tower = CLIPVisionModel(.tiny, rng: &rng)
        let pixels = Tensor.zeros([1, 3, 16, 16])
        let error = #expect(throws: ModelError.self) { try tower.features(pixels, layers: [-4], selection: .patches) }
        #expect(error?.description == "vision feature layer -4 does not exist in a 2-layer tower (valid: -3 ... 2)")
        #expect(throws: ModelError.self) { try tower.features(pixels, layers: [3], selection: .patches) }
        #expect(throws: ModelError.self) { try tower.features(pixels, layers: [], selection: .patches) }
        #expect(throws: ModelError.self) { try tower.hiddenStates(pixels, through: 3) }
        #expect(try tower.features(pixels, layers: [-3, 2], selection: .full).shape == [1, 17, 32])
    }

    @Test func pixelValuesOfAnotherSizeAreAnError() {
        var rng = SplitMix64(seed: 5)
        let tower = CLIPVisionModel(.tiny, rng: &rng)
        let error = #expect(throws: ModelError.self) { try tower(Tensor.zeros([2, 3, 16, 12])) }
        #expect(error?.description == "CLIP pixel values is [2, 3, 16, 12] but the model takes [2, 3, 16, 16]")
        #expect(throws: ModelError.self) { try tower(Tensor.zeros([3, 16, 16])) }
    }

    @Test func llavaBatchesThatDoNotFitAreErrors() throws {
        var rng = SplitMix64(seed: 6)
        let model = LlavaForConditionalGeneration(.tiny, rng: &rng)
        let short = TokenizedExample(ids: [1, 2, 3], isTarget: [false, true, true])
        #expect(throws: ModelError.self) { try model.inputs([TokenizedExample](), images: [[Tensor]]()) }
        let mismatch = #expect(throws: ModelError.self) { try model.inputs([short, short], images: [[Tensor]]([[]])) }
        #expect(mismatch?.description.contains("the batch has 2 examples") == true)
        let ids = Array(repeating: 5, count: 129)
        let long = TokenizedExample(ids: ids, isTarget: Array(repeating: true, count: ids.count))
        let error = #expect(throws: ModelError.self) { try model.inputs([short, long], images: [[Tensor]]([[], []])) }
        #expect(error?.description == "Sequence of 129 tokens exceeds the limit of 128")
    }
}
