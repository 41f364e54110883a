import Foundation
import MLANCore
import Testing
@testable import MLANModel

/// Configs refuse every field whose value would change the computation in a way MLAN does not implement, and
/// the error names the file and the field.
@Suite struct ConfigRejectionTests {
    /// The fields a Llama `config.json` must have, for a two-layer model, as JSON members.
    static let llamaFields = llama()

    /// The required Llama fields as JSON members, with `overrides` (raw JSON values) replacing or adding fields.
    static func llama(_ overrides: [String: String] = [:]) -> String {
        var fields: [(String, String)] = [("vocab_size", "64"), ("hidden_size", "32"), ("intermediate_size", "48"),
                                          ("num_hidden_layers", "2"), ("num_attention_heads", "4"),
                                          ("num_key_value_heads", "2")]
        fields = fields.map { ($0.0, overrides[$0.0] ?? $0.1) }
        fields += overrides.filter { key, _ in !fields.contains { $0.0 == key } }.sorted { $0.key < $1.key }
        return fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ")
    }

    /// Writes `json` to a fresh `config.json` and returns its URL.
    static func file(_ json: String) throws -> URL {
        let directory = try LlavaFixture.temporaryDirectory()
        let url = directory.appendingPathComponent("config.json")
        try Data(json.utf8).write(to: url)
        return url
    }

    /// The unsupported field `load` reported, with the path it named.
    static func rejection(_ load: () throws -> Void) -> (path: String, field: String)? {
        do {
            try load()
        } catch let ModelError.unsupportedConfig(path, field, _) {
            return (path, field)
        } catch {
            Issue.record("expected ModelError.unsupportedConfig, got \(error)")
        }
        return nil
    }

    @Test(arguments: [
        (#""rope_scaling": {"type": "linear", "factor": 2.0}"#, "rope_scaling"),
        (#""rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0}"#, "rope_parameters.rope_type"),
        (#""mlp_bias": true"#, "mlp_bias"),
        (#""sliding_window": 4096"#, "sliding_window"),
        (#""use_sliding_window": true"#, "use_sliding_window"),
        (#""attention_dropout": 0.1"#, "attention_dropout"),
        (#""hidden_act": "swish_beta""#, "hidden_act"),
    ])
    func llamaConfigRejectsFieldsItDoesNotImplement(field json: String, name: String) throws {
        let url = try Self.file("{\(Self.llamaFields), \(json)}")
        let found = Self.rejection { _ = try LlamaConfig.load(from: url) }
        #expect(found?.path == url.path && found?.field == name)
    }

    @Test func llamaConfigAcceptsTheNeutralValuesOfThoseFields() throws {
        let json = #"""
        {\#(Self.llamaFields), "rope_scaling": null, "mlp_bias": false, "attention_bias": true, "sliding_window": null,
         "attention_dropout": 0.0, "hidden_act": "silu", "rope_parameters": {"rope_type": "default", "rope_theta": 5.0},
         "head_dim": 16}
        """#
        let config = try LlamaConfig.load(from: try Self.file(json))
        #expect(config.attentionBias && config.headSize == 16 && config.ropeTheta == 5)
    }

    @Test(arguments: [
        (["num_key_value_heads": "3"], "num_key_value_heads 3"),
        (["hidden_size": "30", "num_key_value_heads": "4"], "hidden_size 30"),
        (["head_dim": "7"], "head_dim 7"),
        (["vocab_size": "0"], "vocab_size 0"),
    ])
    func llamaConfigShapesThatCannotBeBuiltNameTheField(overrides: [String: String], reason: String) throws {
        let url = try Self.file("{\(Self.llama(overrides))}")
        let error = #expect(throws: ModelError.self) { try LlamaConfig.load(from: url) }
        #expect(error?.description.contains(url.path) == true && error?.description.contains(reason) == true,
                "\(error?.description ?? "")")
    }

    @Test(arguments: [
        (#"{"model_type": "siglip_vision_model"}"#, "model_type"),
        (#"{"hidden_act": "gelu_new"}"#, "hidden_act"),
        (#"{"attention_dropout": 0.2}"#, "attention_dropout"),
        (#"{"model_type": "clip", "vision_config": {"hidden_act": "gelu_new"}}"#, "vision_config.hidden_act"),
    ])
    func clipVisionConfigRejectsFieldsItDoesNotImplement(json: String, name: String) throws {
        let url = try Self.file(json)
        let found = Self.rejection { _ = try CLIPVisionConfig.load(from: url) }
        #expect(found?.path == url.path && found?.field == name)
    }

    /// A Hugging Face LLaVA config of the tiny shapes with `extra` fields at the top level, in `text_config`
    /// and in `vision_config`.
    static func llava(type: String = "llava", top: String = "", text: String = "", vision: String = "") -> String {
        let comma = { (s: String) in s.isEmpty ? "" : ", " + s }
        return """
        {"model_type": "\(type)", "image_token_index": 63\(comma(top)),
         "text_config": {"model_type": "llama", \(llamaFields)\(comma(text))},
         "vision_config": {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                           "image_size": 16, "patch_size": 4\(comma(vision))}}
        """
    }

    @Test(arguments: [
        (llava(type: "llava_next"), "model_type"),
        (llava(top: #""projector_hidden_act": "swiglu""#), "projector_hidden_act"),
        (llava(top: #""vision_feature_select_strategy": "cls_only""#), "vision_feature_select_strategy"),
        (llava(text: #""rope_scaling": {"type": "dynamic", "factor": 4.0}"#), "text_config.rope_scaling"),
        (llava(text: #""mlp_bias": true"#), "text_config.mlp_bias"),
        (llava(vision: #""hidden_act": "gelu_new""#), "vision_config.hidden_act"),
        (llava(vision: #""model_type": "siglip_vision_model""#), "vision_config.model_type"),
    ])
    func huggingFaceLlavaConfigRejectsFieldsItDoesNotImplement(json: String, name: String) throws {
        let url = try Self.file(json)
        let found = Self.rejection { _ = try LlavaConfig.load(from: url) }
        #expect(found?.path == url.path && found?.field == name)
    }

    @Test(arguments: [
        (#""mm_use_im_start_end": true"#, "mm_use_im_start_end"),
        (#""mm_patch_merge_type": "spatial_unpad""#, "mm_patch_merge_type"),
        (#""image_aspect_ratio": "anyres""#, "image_aspect_ratio"),
        (#""image_grid_pinpoints": [[336, 672]]"#, "image_grid_pinpoints"),
        (#""model_type": "llava_mistral""#, "model_type"),
        (#""rope_scaling": {"type": "linear", "factor": 2.0}"#, "rope_scaling"),
    ])
    func originalLlavaConfigRejectsFieldsItDoesNotImplement(field json: String, name: String) throws {
        let url = try Self.file(#"{\#(Self.llamaFields), "mm_projector_type": "mlp2x_gelu", "mm_hidden_size": 16, \#(json)}"#)
        let found = Self.rejection { _ = try LlavaConfig.load(from: url, visionConfig: .tiny) }
        #expect(found?.path == url.path && found?.field == name)
    }

    @Test func huggingFaceLlavaConfigOfTheTinyShapesLoads() throws {
        let config = try LlavaConfig.load(from: try Self.file(Self.llava()))
        #expect(config.imageTokenIndex == 63 && config.visionConfig.numPatches == 16)
    }

    @Test func originalLlavaConfigAcceptsFlatMergesAndPaddedImages() throws {
        let json = #"{\#(Self.llamaFields), "model_type": "llava_llama", "mm_projector_type": "mlp2x_gelu", "mm_hidden_size": 16, "mm_use_im_start_end": false, "mm_patch_merge_type": "flat", "image_aspect_ratio": "pad", "image_grid_pinpoints": null}"#
        let config = try LlavaConfig.load(from: try Self.file(json), visionConfig: .tiny)
        #expect(config.projectorType == .mlp2xGELU && config.textConfig.hiddenSize == 32)
    }
}
