import Foundation
import MLANCore
import MLANData
import MLANTestSupport
import Testing
@testable import MLANModel

/// A tiny LLaVA composed as `mlan train` composes one: a decoder with SmolLM2's vocabulary (the image token at the
/// vocabulary's size), SmolLM2's tokenizer, a small CLIP tower and a fresh projector.
enum TinyComposedLlava {
    static let vision = CLIPVisionConfig(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 2,
                                         imageSize: 32, patchSize: 8)

    static func make(tied: Bool) throws -> (LlavaForConditionalGeneration, BPETokenizer) {
        guard let tokenizer = try GGUFFile.load(from: SharedPaths.smolLM2()).tokenizer() as? BPETokenizer else {
            throw CheckpointError.unreadable(path: "SmolLM2", reason: "not a byte-level BPE tokenizer")
        }
        var text = LlamaConfig.tiny
        text.vocabSize = tokenizer.vocabularySize
        text.tieWordEmbeddings = tied
        text.bosTokenID = tokenizer.bosTokenID
        text.eosTokenID = tokenizer.eosTokenID
        var rng = SplitMix64(seed: 3)
        let llava = LlavaForConditionalGeneration(languageModel: LlamaForCausalLM(text, rng: &rng),
                                                  visionTower: CLIPVisionModel(vision, rng: &rng), seed: 5)
        return (llava, tokenizer)
    }

    static func temporaryDirectory(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mlan-\(label)-\(UUID().uuidString)")
    }
}

/// What `LlavaForConditionalGeneration.save` writes: the Hub's files, `<image>` inside the vocabulary, and a
/// directory MLAN loads back to the same logits; directories saved before (image token outside) still load.
@Suite(.serialized) struct LlavaSaveTests {
    @Test(arguments: [true, false]) func savedLlavaHasTheHubFilesAndTheImageTokenInsideTheVocabulary(tied: Bool) throws {
        let (llava, tokenizer) = try TinyComposedLlava.make(tied: tied)
        let v = tokenizer.vocabularySize
        #expect(llava.config.imageTokenIndex == v)
        let directory = TinyComposedLlava.temporaryDirectory("llava-save")
        defer { try? FileManager.default.removeItem(at: directory) }
        let processor = CLIPImageProcessor(shortestEdge: 32, padToSquare: true)
        try llava.save(to: directory, tokenizer: tokenizer, imageProcessor: processor,
                       chatTemplate: JinjaChatTemplate.source(for: VicunaTemplate()))

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["chat_template.json", "config.json", "generation_config.json", "model.safetensors",
                          "preprocessor_config.json", "processor_config.json", "special_tokens_map.json",
                          "tokenizer.json", "tokenizer_config.json"])
        let tokenizerConfig = try JSONValue.parse(Array(Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json"))))
        #expect(tokenizerConfig["eos_token"] == .string("<|im_end|>") && tokenizerConfig["bos_token"] == .string("<|im_start|>"))
        #expect(tokenizerConfig["chat_template"]?.stringValue?.contains("ASSISTANT:") == true)
        #expect(tokenizerConfig["added_tokens_decoder"]?[String(v)]?["content"] == .string("<image>"))
        let generation = try JSONValue.parse(Array(Data(contentsOf: directory.appendingPathComponent("generation_config.json"))))
        #expect(generation["eos_token_id"] == .int(2) && generation["bos_token_id"] == .int(1))

        let loaded = try MultimodalLoader.load(model: directory)
        #expect(loaded.model.config.textConfig.vocabSize == v + 1 && loaded.model.config.imageTokenIndex == v)
        #expect(loaded.tokenizer.tokenID("<image>") == v && loaded.imageProcessor == processor)
        let image = SharedPaths.fixture("jpeg/photo_420_q75.jpg")
        let prompt = "<image>\nWhat is in the picture?"
        let (ids, saved) = try loaded.logits(prompt: prompt, images: [image], allPositions: true)  // [T, V + 1]
        #expect(ids == loaded.tokenizer.encode(prompt: prompt, imagePlaceholder: v, addBOS: false))
        let original = LoadedMultimodalModel(model: llava, tokenizer: tokenizer, imageProcessor: processor)
        let (_, before) = try original.logits(prompt: prompt, images: [image], allPositions: true)  // [T, V]
        let t = before.shape[0]
        #expect(saved.shape == [t, v + 1])
        for row in 0..<t {
            let ours = Array(saved.scalars[(row * (v + 1))..<(row * (v + 1) + v)])
            let theirs = Array(before.scalars[(row * v)..<((row + 1) * v)])
            let scale = theirs.map(abs).max() ?? 1
            #expect(zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0 <= 1e-5 * scale)
            let image = saved.scalars[row * (v + 1) + v]
            let mean = theirs.reduce(0, +) / Float(v)
            #expect(abs(image - mean) <= 1e-4 * scale && image < (theirs.max() ?? 0))  // never the greedy choice
        }
    }

    @Test func aSavedLlavaLoadsAsItsLanguageModelForTextOnlyUse() throws {
        let (llava, tokenizer) = try TinyComposedLlava.make(tied: true)
        let directory = TinyComposedLlava.temporaryDirectory("llava-text")
        defer { try? FileManager.default.removeItem(at: directory) }
        try llava.save(to: directory, tokenizer: tokenizer)
        let loaded = try LanguageModelLoader.load(from: directory)
        #expect(loaded.format == "huggingface-llava")
        let ids = [[tokenizer.tokenID("Hello") ?? 3, 11, 42, 7]]
        let v = tokenizer.vocabularySize
        let (saved, original) = (loaded.model.logits(ids: ids), llava.languageModel.logits(ids: ids))  // V + 1, V
        for row in 0..<4 {
            let ours = saved.scalars[(row * (v + 1))..<(row * (v + 1) + v)], theirs = original.scalars[(row * v)..<((row + 1) * v)]
            let scale = theirs.map(abs).max() ?? 1
            #expect(zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0 <= 1e-5 * scale)
        }
    }

    @Test func directoriesSavedWithTheImageTokenOutsideTheVocabularyStillLoad() throws {
        let (llava, tokenizer) = try TinyComposedLlava.make(tied: true)
        let directory = TinyComposedLlava.temporaryDirectory("llava-old")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        try encoder.encode(llava.config).write(to: directory.appendingPathComponent("config.json"))
        try SafetensorsWriter.write(HuggingFaceWriter.stateDictionary(llava), metadata: ["format": "pt"],
                                    to: directory.appendingPathComponent("model.safetensors"))
        try tokenizer.write(to: directory.appendingPathComponent("tokenizer.json"))
        let loaded = try MultimodalLoader.load(model: directory)
        #expect(loaded.model.config.imageTokenIndex == tokenizer.vocabularySize)
        #expect(loaded.model.config.textConfig.vocabSize == tokenizer.vocabularySize)
        let image = SharedPaths.fixture("images/real.png")
        let (_, logits) = try loaded.logits(prompt: "<image>\nHi", images: [image], allPositions: false)
        let original = LoadedMultimodalModel(model: llava, tokenizer: tokenizer, imageProcessor: loaded.imageProcessor)
        #expect(try original.logits(prompt: "<image>\nHi", images: [image], allPositions: false).logits.scalars == logits.scalars)
    }
}
