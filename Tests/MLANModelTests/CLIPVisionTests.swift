import Foundation
import MLANCore
import MLANTestSupport
import Testing
@testable import MLANModel

/// The CLIP vision tower of `fixtures/tiny-llava` against transformers, and its config.
@Suite struct CLIPVisionTests {
    @Test func configDecodesTheFixtureVisionConfig() throws {
        let config = try LlavaConfig.load(from: LlavaFixture.folder.appendingPathComponent("config.json")).visionConfig
        #expect(config == CLIPVisionConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 2,
                                           imageSize: 32, patchSize: 8, layerNormEps: 1e-5, hiddenAct: .quickGELU))
        #expect(config.numPatches == 16 && config.numPositions == 17 && config.headSize == 16)
    }

    @Test func absentFieldsKeepViTL14At336AndFullCLIPConfigsUseTheirVisionPart() throws {
        let empty = try JSONDecoder().decode(CLIPVisionConfig.self, from: Data("{}".utf8))
        #expect(empty == .vitL14_336 && empty.numPatches == 576)
        let full = try JSONDecoder().decode(CLIPVisionConfig.self, from: Data("""
            {"model_type": "clip", "text_config": {"hidden_size": 512},
             "vision_config": {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                               "num_attention_heads": 12, "image_size": 224, "patch_size": 16}}
            """.utf8))
        #expect(full == .vitB16_224)
        let gelu = try JSONDecoder().decode(CLIPVisionConfig.self, from: Data(#"{"hidden_act": "gelu"}"#.utf8))
        #expect(gelu.hiddenAct == .gelu)
    }

    @Test func inconsistentShapesAreRejectedWithTheReason() throws {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CLIPVisionConfig.self, from: Data(#"{"hidden_size": 30, "num_attention_heads": 4}"#.utf8))
        }
        #expect(CLIPVisionConfig(imageSize: 30, patchSize: 14).inconsistency?.contains("patch_size") == true)
    }

    @Test func configRoundTripsThroughItsHuggingFaceEncoding() throws {
        let data = try JSONEncoder().encode(CLIPVisionConfig.vitB16_224)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["model_type"] as? String == "clip_vision_model" && object?["hidden_act"] as? String == "quick_gelu")
        #expect(try JSONDecoder().decode(CLIPVisionConfig.self, from: data) == .vitB16_224)
    }

    @Test func everyHiddenStateMatchesTransformers() throws {
        let model = try LlavaFixture.model()
        let pixels = try LlavaFixture.tensor("pixel_values")  // [1, 3, 32, 32]
        let output = try withoutGradients { try model.visionTower(pixels) }
        #expect(output.hiddenStates.count == 3)
        for (i, state) in output.hiddenStates.enumerated() {
            let error = LlavaFixture.scaledError(state, try LlavaFixture.tensor("vision_hidden_states_\(i)"))
            #expect(error < 1e-4, "hidden state \(i): scaled error \(error)")
        }
        #expect(output.lastHiddenState.scalars == output.hiddenStates[2].scalars)
        #expect(output.pooledOutput.shape == [1, 32])
    }

    @Test func featureSelectionPicksLayerMinusTwoWithAndWithoutTheClassToken() throws {
        let model = try LlavaFixture.model()
        let pixels = try LlavaFixture.tensor("pixel_values")
        let full = try withoutGradients { try model.visionTower.features(pixels, layers: [-2], selection: .full) }
        let error = LlavaFixture.scaledError(full, try LlavaFixture.tensor("vision_layer_m2"))
        #expect(full.shape == [1, 17, 32] && error < 1e-4, "layer -2: scaled error \(error)")
        let patches = try withoutGradients { try model.visionTower.features(pixels, layers: [-2], selection: .patches) }
        let patchError = LlavaFixture.scaledError(patches, try LlavaFixture.tensor("image_features_selected"))
        #expect(patches.shape == [1, 16, 32] && patchError < 1e-4, "selected features: scaled error \(patchError)")
        let twoLayers = try withoutGradients { try model.visionTower.features(pixels, layers: [-2, 0], selection: .patches) }
        #expect(twoLayers.shape == [1, 16, 64])
    }

    @Test func featureLayersResolveLikeHuggingFaceAndOnlyNeededLayersRun() throws {
        var rng = SplitMix64(seed: 3)
        let tower = CLIPVisionModel(.tiny, rng: &rng)
        #expect(tower.hiddenStateIndex(forFeatureLayer: -2) == 1 && tower.hiddenStateIndex(forFeatureLayer: -1) == 2)
        #expect(tower.hiddenStateIndex(forFeatureLayer: 0) == 0 && tower.hiddenStateIndex(forFeatureLayer: -3) == 0)
        #expect(tower.hiddenStateIndex(forFeatureLayer: 3) == nil && tower.hiddenStateIndex(forFeatureLayer: -4) == nil)
        let pixels = Tensor.normal([2, 3, 16, 16], using: &rng)
        let prefix = try tower.hiddenStates(pixels, through: 1)
        let all = try tower.hiddenStates(pixels)
        #expect(prefix.count == 2 && all.count == 3 && prefix[1].scalars == all[1].scalars)
        // Only layer 0 feeds layer -2, so only it (and the embeddings) receive gradients.
        try tower.features(pixels, layers: [-2], selection: .patches).sum().backward()
        let named = tower.namedParameters()
        #expect(named.filter { $0.name.hasPrefix("encoder.layers.1.") || $0.name.hasPrefix("post_layernorm.") }
            .allSatisfy { $0.tensor.grad == nil })
        #expect(named.filter { $0.name.hasPrefix("encoder.layers.0.") }.allSatisfy { $0.tensor.grad != nil })
    }

    @Test func standaloneCLIPCheckpointsLoadFromTheirVisionModelPrefix() throws {
        let fixture = try LlavaFixture.model()
        let directory = try LlavaFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var tensors: [String: SafetensorsEntry] = [
            "vision_model.embeddings.position_ids": .int64(shape: [1, 17], values: Array(0..<17)),
            "text_model.embeddings.token_embedding.weight": .float32(Tensor.zeros([4, 8])),
            "logit_scale": .float32(Tensor(2.6)),
        ]
        for (name, tensor) in fixture.visionTower.namedParameters() { tensors["vision_model." + name] = .float32(tensor) }
        try SafetensorsWriter.write(tensors, to: directory.appendingPathComponent("model.safetensors"))
        let config = #"{"model_type": "clip", "vision_config": {"hidden_size": 32, "intermediate_size": 64, "#
            + #""num_hidden_layers": 2, "num_attention_heads": 2, "image_size": 32, "patch_size": 8}}"#
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        let tower = try CLIPVisionModel.load(from: directory)
        #expect(tower.config == fixture.visionTower.config)
        for ((name, ours), (_, reference)) in zip(tower.namedParameters(), fixture.visionTower.namedParameters()) {
            #expect(ours.scalars == reference.scalars, "\(name) differs after loading")
        }
    }

    /// A batch of images through a wide (4:1) tower, as stage 1 feeds it, gives each image's features alone.
    @Test func aBatchOfWideImagesGivesEachImagesFeaturesAlone() throws {
        var config = CLIPVisionConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 2,
                                      imageSize: 32, patchSize: 16, hiddenAct: .gelu)
        config.imageWidth = 128
        var rng = SplitMix64(seed: 11)
        let tower = CLIPVisionModel(config, rng: &rng)
        let images = (0..<3).map { _ in Tensor.normal([3, 32, 128], using: &rng) }
        for layer in [-1, -2] {
            let batched = try withoutGradients { try tower.features(Tensor.stack(images), layers: [layer], selection: .patches) }
            #expect(batched.shape == [3, 16, 32])
            for (index, image) in images.enumerated() {
                let alone = try withoutGradients { try tower.features(Tensor.stack([image]), layers: [layer], selection: .patches) }
                let size = 16 * 32
                let row: [Float] = Array(batched.scalars[(index * size)..<((index + 1) * size)])
                let largest = zip(row, alone.scalars).map { abs($0 - $1) }.max() ?? 0
                #expect(largest <= 1e-5, "image \(index), layer \(layer)")
            }
        }
    }
}
