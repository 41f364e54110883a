import Foundation
import MLANCore
import MLANData
import Testing
@testable import MLANModel

/// Loading LLaVA checkpoints in every key layout, saving in Hugging Face's, composing parts, and freezing.
@Suite struct LlavaCheckpointTests {
    /// The fixture's tensors renamed to another layout: (our name) -> their name, or nil to leave one out.
    static let layouts: [String: @Sendable (String) -> String?] = [
        "llava-hf (transformers 4)": { name in
            name.hasPrefix("vision_tower.") ? "vision_tower.vision_model." + name.dropFirst("vision_tower.".count) : name
        },
        "transformers >= 4.52": { name in
            if name.hasPrefix("vision_tower.") { return "model.vision_tower.vision_model." + name.dropFirst("vision_tower.".count) }
            if name.hasPrefix("language_model.model.") { return "model.language_model." + name.dropFirst("language_model.model.".count) }
            if name.hasPrefix("language_model.lm_head.") { return String(name.dropFirst("language_model.".count)) }
            return "model." + name
        },
        "original LLaVA": { name in
            if name.hasPrefix("vision_tower.") {
                return "model.vision_tower.vision_tower.vision_model." + name.dropFirst("vision_tower.".count)
            }
            if name.hasPrefix("language_model.") { return String(name.dropFirst("language_model.".count)) }
            return name.replacingOccurrences(of: "multi_modal_projector.linear_1.", with: "model.mm_projector.0.")
                .replacingOccurrences(of: "multi_modal_projector.linear_2.", with: "model.mm_projector.2.")
        },
    ]

    /// Writes the fixture's parameters under `rename`, plus the buffers old checkpoints carry.
    static func writeRenamed(_ model: LlavaForConditionalGeneration, _ rename: (String) -> String?,
                             to url: URL) throws {
        var tensors: [String: SafetensorsEntry] = [:]
        for (name, tensor) in model.namedParameters() { if let other = rename(name) { tensors[other] = .float32(tensor) } }
        if let ids = rename("vision_tower.embeddings.position_ids") {
            tensors[ids] = .int64(shape: [1, 17], values: Array(0..<17))
        }
        try SafetensorsWriter.write(tensors, to: url)
    }

    @Test(arguments: ["llava-hf (transformers 4)", "transformers >= 4.52", "original LLaVA"])
    func everyPublishedKeyLayoutLoadsToTheSameWeights(layout: String) throws {
        let fixture = try LlavaFixture.model()
        let directory = try LlavaFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("model.safetensors")
        try Self.writeRenamed(fixture, try #require(Self.layouts[layout]), to: file)
        var rng = SplitMix64(seed: 99)
        let model = LlavaForConditionalGeneration(fixture.config, rng: &rng)
        let report = try model.loadWeights(from: SafetensorsSource(files: [file], path: file.path))
        #expect(report.loaded.count == fixture.namedParameters().count)
        for ((name, ours), (_, reference)) in zip(model.namedParameters(), fixture.namedParameters()) {
            #expect(ours.scalars == reference.scalars, "\(layout): \(name) differs")
        }
    }

    @Test func savedModelsReloadIdenticallyWithAHuggingFaceConfig() throws {
        let fixture = try LlavaFixture.model()
        let directory = try LlavaFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try fixture.save(to: directory)
        let saved = try SafetensorsFile.load(from: directory.appendingPathComponent("model.safetensors"))
        let original = try SafetensorsFile.load(from: LlavaFixture.folder.appendingPathComponent("model.safetensors"))
        #expect(saved.names.sorted() == original.names.sorted())
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("config.json")))
        let object = try #require(json as? [String: Any])
        #expect(object["model_type"] as? String == "llava" && object["image_token_index"] as? Int == 127)
        #expect(object["vision_feature_select_strategy"] as? String == "default" && object["vision_feature_layer"] as? Int == -2)
        #expect((object["text_config"] as? [String: Any])?["model_type"] as? String == "llama")
        let reloaded = try LlavaForConditionalGeneration.load(from: directory)
        #expect(reloaded.config == fixture.config)
        for ((name, ours), (_, reference)) in zip(reloaded.namedParameters(), fixture.namedParameters()) {
            #expect(ours.scalars == reference.scalars, "\(name) differs after a round trip")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            == ["config.json", "model.safetensors"])
    }

    @Test func loadingIsStrictUnlessAComponentMayBeMissing() throws {
        let fixture = try LlavaFixture.model()
        let directory = try LlavaFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("model.safetensors")
        try Self.writeRenamed(fixture, { $0.hasPrefix("multi_modal_projector.") ? nil : $0 }, to: file)
        var rng = SplitMix64(seed: 4)
        let model = LlavaForConditionalGeneration(fixture.config, rng: &rng)
        #expect {
            try model.loadWeights(from: SafetensorsSource(files: [file], path: file.path))
        } throws: { error in
            guard case CheckpointError.incompatible(_, let report) = error else { return false }
            return report.missing == model.parameters(of: .projector).map(\.name)
        }
        let report = try model.loadWeights(from: SafetensorsSource(files: [file], path: file.path), allowMissing: [.projector])
        #expect(report.isClean && report.loaded.count == fixture.namedParameters().count - 4)
        #expect(throws: ModelError.self) {  // a tower of another shape than the config's
            try LlavaForConditionalGeneration.load(from: LlavaFixture.folder, visionTower: CLIPVisionModel(.tiny, rng: &rng))
        }
        #expect {  // a tower passed separately while the checkpoint has one too
            try LlavaForConditionalGeneration.load(from: LlavaFixture.folder, visionTower: fixture.visionTower)
        } throws: { error in
            guard case CheckpointError.incompatible(_, let report) = error else { return false }
            return report.unexpected.count == fixture.parameters(of: .visionTower).count
        }
    }

    @Test func originalLLaVADirectoriesLoadWithASeparateVisionTower() throws {
        let fixture = try LlavaFixture.model()
        let directory = try LlavaFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try #require(Self.layouts["original LLaVA"])
        try Self.writeRenamed(fixture, { $0.hasPrefix("vision_tower.") ? nil : original($0) },
                              to: directory.appendingPathComponent("model.safetensors"))
        let config = """
            {"architectures": ["LlavaLlamaForCausalLM"], "model_type": "llava_llama", "vocab_size": 128,
             "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "head_dim": 16, "rms_norm_eps": 1e-05, "max_position_embeddings": 128,
             "tie_word_embeddings": false, "mm_projector_type": "mlp2x_gelu", "mm_hidden_size": 32,
             "mm_vision_select_layer": -2, "mm_vision_select_feature": "patch", "image_token_index": 127,
             "mm_vision_tower": "tiny-clip", "image_aspect_ratio": "pad"}
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        #expect(throws: ModelError.self) { try LlavaForConditionalGeneration.load(from: directory) }  // 32 ≠ 1024
        let model = try LlavaForConditionalGeneration.load(from: directory, visionTower: fixture.visionTower)
        #expect(model.config.projectorType == .mlp2xGELU && model.config.visionFeatureLayers == [-2])
        let logits = try withoutGradients {
            try model.forward([LlavaFixture.example()], images: [[PixelValues(tensor: LlavaFixture.pixels())]]).logits
        }
        let error = LlavaFixture.scaledError(logits, try LlavaFixture.tensor("logits"))
        #expect(error < 1e-4, "original-layout logits: scaled error \(error)")
    }

    @Test func sparseLlavaHFTextConfigsTakeLlamaDefaults() throws {
        let json = """
            {"model_type": "llava", "image_token_index": 32000, "projector_hidden_act": "gelu",
             "text_config": {"model_type": "llama", "vocab_size": 32064, "rms_norm_eps": 1e-05},
             "vision_config": {"hidden_size": 1024, "image_size": 336, "patch_size": 14, "intermediate_size": 4096,
                               "num_attention_heads": 16, "num_hidden_layers": 24}, "vision_feature_layer": [-2, -5]}
            """
        let config = try JSONDecoder().decode(LlavaConfig.self, from: Data(json.utf8))
        #expect(config.textConfig.vocabSize == 32064 && config.textConfig.hiddenSize == 4096)
        #expect(config.textConfig.numHiddenLayers == 32 && config.visionConfig == .vitL14_336)
        #expect(config.imageSeqLength == 576 && config.visionFeatureLayers == [-2, -5] && config.projectorInputSize == 2048)
        let mistral = json.replacingOccurrences(of: #""model_type": "llama""#, with: #""model_type": "mistral""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LlavaConfig.self, from: Data(mistral.utf8)) }
    }

    @Test func composingAnyLlamaWithCLIPSizesAFreshSeededProjector() throws {
        var rng = SplitMix64(seed: 12)
        let llm = LlamaForCausalLM(.tiny, rng: &rng), tower = CLIPVisionModel(.tiny, rng: &rng)
        let first = LlavaForConditionalGeneration(languageModel: llm, visionTower: tower, seed: 42)
        let second = LlavaForConditionalGeneration(languageModel: llm, visionTower: tower, seed: 42)
        let third = LlavaForConditionalGeneration(languageModel: llm, visionTower: tower, seed: 43)
        #expect(first.projector.layers.map(\.weight.shape) == [[32, 16], [32, 32]])
        #expect(first.projector.layers[0].weight.scalars == second.projector.layers[0].weight.scalars)
        #expect(first.projector.layers[0].weight.scalars != third.projector.layers[0].weight.scalars)
        #expect(first.config.imageTokenIndex == LlamaConfig.tiny.vocabSize && first.config.imageSeqLength == 16)
        let linear = LlavaForConditionalGeneration(languageModel: llm, visionTower: tower, projectorType: .linear,
                                                   visionFeatureLayers: [-1, -2], selection: .full, seed: 1)
        #expect(linear.projector.layers.map(\.weight.shape) == [[32, 32]] && linear.config.imageSeqLength == 17)
        let directory = try LlavaFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try linear.save(to: directory)
        let reloaded = try LlavaForConditionalGeneration.load(from: directory)
        var expected = linear.config
        expected.textConfig.headDim = expected.textConfig.headSize  // LlamaConfig writes the head size it uses
        #expect(reloaded.config == expected)
    }

    @Test func componentsFreezeByName() throws {
        var rng = SplitMix64(seed: 8)
        let model = LlavaForConditionalGeneration(.tiny, rng: &rng)
        model.freezeVisionTower()
        #expect(model.isFrozen(.visionTower) && !model.isFrozen(.projector) && !model.isFrozen(.languageModel))
        model.freezeAll(except: [.projector])
        #expect(model.isFrozen(.visionTower) && !model.isFrozen(.projector) && model.isFrozen(.languageModel))
        let ex = TokenizedExample(ids: [1, 127, 5, 6], isTarget: [false, false, true, true])
        try model.loss([ex], images: [[Tensor.normal([3, 16, 16], using: &rng)].map(PixelValues.init(tensor:))]).backward()
        #expect(model.namedParameters().filter { $0.tensor.grad != nil }.map(\.name)
            == model.parameters(of: .projector).map(\.name))
        #expect(model.trainableParameters().count == 4)
        model.unfreeze([.languageModel])
        #expect(!model.isFrozen(.languageModel))
    }
}
