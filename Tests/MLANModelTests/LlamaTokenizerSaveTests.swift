import Foundation
import MLANCore
import MLANData
import MLANTestSupport
import Testing
@testable import MLANModel

/// Models saved with Llama's SentencePiece tokenizer (as `mlan model convert` does for a GGUF with a `llama`
/// vocabulary, and `mlan train` for a LLaVA on Vicuna): the Hub's tokenizer files, loaded back id for id.
@Suite(.serialized) struct LlamaTokenizerSaveTests {
    struct StressLine: Decodable { let text: String; let ids: [Int]; let decoded: String }

    static let folder = SharedPaths.fixture("llama2-tokenizer")

    /// The Llama 2 vocabulary of the vocabulary-only GGUF fixture.
    static func ggufTokenizer() throws -> LlamaTokenizer {
        try LlamaTokenizer(gguf: GGUFFile.load(from: folder.appendingPathComponent("ggml-vocab-llama-spm.gguf")))
    }

    static func stressLines() throws -> [StressLine] {
        let text = try String(contentsOf: folder.appendingPathComponent("stress.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(StressLine.self, from: Data($0.utf8)) }
    }

    static func json(_ directory: URL, _ name: String) throws -> JSONValue {
        try JSONValue.parse(Array(Data(contentsOf: directory.appendingPathComponent(name))))
    }

    @Test func languageModelSavedWithTheGGUFLlamaVocabularyReloadsWithTheSameIdsAndLogits() throws {
        let tokenizer = try Self.ggufTokenizer()
        var config = LlamaConfig.tiny
        config.vocabSize = tokenizer.vocabularySize
        config.bosTokenID = 1
        config.eosTokenID = 2
        var rng = SplitMix64(seed: 11)
        let model = LlamaForCausalLM(config, rng: &rng)
        let directory = TinyComposedLlava.temporaryDirectory("llama-vocab-save")
        defer { try? FileManager.default.removeItem(at: directory) }
        try HuggingFaceWriter.save(model, tokenizer: tokenizer, chatTemplate: "{{ bos_token }}", to: directory)

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json",
                          "tokenizer.json", "tokenizer_config.json"])
        let tokenizerConfig = try Self.json(directory, "tokenizer_config.json")
        #expect(tokenizerConfig["bos_token"] == .string("<s>") && tokenizerConfig["eos_token"] == .string("</s>"))
        #expect(tokenizerConfig["unk_token"] == .string("<unk>") && tokenizerConfig["add_bos_token"] == .bool(true))
        #expect(tokenizerConfig["added_tokens_decoder"]?["1"]?["content"] == .string("<s>"))
        let generation = try Self.json(directory, "generation_config.json")
        #expect(generation["bos_token_id"] == .int(1) && generation["eos_token_id"] == .int(2))

        let loaded = try LanguageModelLoader.load(from: directory)
        let reloaded = try #require(loaded.tokenizer as? LlamaTokenizer)
        let lines = try Self.stressLines()
        let mismatches = lines.indices.filter { reloaded.encode(lines[$0].text, addSpecialTokens: false) != lines[$0].ids }
        #expect(mismatches.isEmpty, "encode differs on lines \(mismatches.prefix(5).map { $0 + 1 })")
        let decodeMismatches = lines.indices.filter { reloaded.decode(lines[$0].ids, skipSpecialTokens: true) != lines[$0].decoded }
        #expect(decodeMismatches.isEmpty, "decode differs on lines \(decodeMismatches.prefix(5).map { $0 + 1 })")
        let ids = reloaded.encode("Hello world", addSpecialTokens: true)
        #expect(ids == [1, 15043, 3186])
        #expect(loaded.model.logits(ids: [ids]).scalars == model.logits(ids: [ids]).scalars)
    }

    @Test func llavaSavedWithLlamasTokenizerHasTheImageTokenInsideTheVocabulary() throws {
        let tokenizer = try Self.ggufTokenizer()
        var text = LlamaConfig.tiny
        text.vocabSize = tokenizer.vocabularySize
        var rng = SplitMix64(seed: 3)
        let llava = LlavaForConditionalGeneration(languageModel: LlamaForCausalLM(text, rng: &rng),
                                                  visionTower: CLIPVisionModel(TinyComposedLlava.vision, rng: &rng), seed: 5)
        #expect(llava.config.imageTokenIndex == 32000)
        let directory = TinyComposedLlava.temporaryDirectory("llava-llama-save")
        defer { try? FileManager.default.removeItem(at: directory) }
        try llava.save(to: directory, tokenizer: tokenizer, chatTemplate: JinjaChatTemplate.source(for: VicunaTemplate()))

        let tokenizerConfig = try Self.json(directory, "tokenizer_config.json")
        #expect(tokenizerConfig["added_tokens_decoder"]?["32000"]?["content"] == .string("<image>"))
        let loaded = try MultimodalLoader.load(model: directory)
        #expect(loaded.model.config.textConfig.vocabSize == 32001 && loaded.model.config.imageTokenIndex == 32000)
        let reloaded = try #require(loaded.tokenizer as? LlamaTokenizer)
        #expect(reloaded.tokenID("<image>") == 32000)
        let prompt = "USER: <image>\nWhat is shown? ASSISTANT:"
        #expect(reloaded.encode(prompt, addSpecialTokens: true)
                == (try tokenizer.addingSpecialTokens(["<image>"])).encode(prompt, addSpecialTokens: true))
        #expect(reloaded.encode(prompt, addSpecialTokens: false).filter { $0 == 32000 }.count == 1)
    }
}
