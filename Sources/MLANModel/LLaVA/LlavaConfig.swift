import Foundation
import MLANCore

/// The shape of a LLaVA model: a Llama-family decoder, a CLIP vision tower and the projector between them.
///
/// Decodes Hugging Face's `LlavaConfig` (`text_config`, `vision_config`, `image_token_index` or
/// `image_token_id`, `projector_hidden_act`, `vision_feature_layer`, `vision_feature_select_strategy`,
/// `multimodal_projector_bias`) and the original LLaVA repository's flat config (a Llama config with
/// `mm_projector_type`, `mm_vision_select_layer`, `mm_vision_select_feature`, `mm_hidden_size`).
public struct LlavaConfig: Equatable, Sendable {
    /// The language model.
    public var textConfig: LlamaConfig
    /// The vision tower.
    public var visionConfig: CLIPVisionConfig
    /// The token id that stands for image features in a prompt. It is never embedded, so it may lie outside
    /// the text vocabulary.
    public var imageTokenIndex: Int
    /// The projector's layers (`mm_projector_type`; Hugging Face's LLaVA is always `mlp2x_gelu`).
    public var projectorType: ProjectorType = .mlp2xGELU
    /// The activation between projector layers (`projector_hidden_act`, exact GELU by default).
    public var projectorHiddenAct: ActivationKind = .gelu
    /// Whether the projector's linear layers have biases (`multimodal_projector_bias`).
    public var multimodalProjectorBias = true
    /// The tower hidden states that become features (`vision_feature_layer`; several are concatenated).
    public var visionFeatureLayers: [Int] = [-2]
    /// Whether the class token is dropped (`vision_feature_select_strategy`).
    public var visionFeatureSelectStrategy: VisionFeatureSelection = .patches
    /// The original LLaVA repository's `image_aspect_ratio` (`"pad"`: pad images to square), when the config has
    /// one; Hugging Face configs leave preprocessing to `preprocessor_config.json`.
    public var imageAspectRatio: String?

    /// A config from parts; `imageTokenIndex` defaults to the text vocabulary size (an id no text token has).
    public init(textConfig: LlamaConfig, visionConfig: CLIPVisionConfig, imageTokenIndex: Int? = nil,
                projectorType: ProjectorType = .mlp2xGELU, projectorHiddenAct: ActivationKind = .gelu,
                multimodalProjectorBias: Bool = true, visionFeatureLayers: [Int] = [-2],
                visionFeatureSelectStrategy: VisionFeatureSelection = .patches) {
        self.textConfig = textConfig
        self.visionConfig = visionConfig
        self.imageTokenIndex = imageTokenIndex ?? textConfig.vocabSize
        self.projectorType = projectorType
        self.projectorHiddenAct = projectorHiddenAct
        self.multimodalProjectorBias = multimodalProjectorBias
        self.visionFeatureLayers = visionFeatureLayers
        self.visionFeatureSelectStrategy = visionFeatureSelectStrategy
    }

    /// Image features per image in the language model: 576 for ViT-L/14-336 without the class token.
    public var imageSeqLength: Int { visionFeatureSelectStrategy.tokenCount(visionConfig) }
    /// The width of the features the projector takes: the tower's width times the number of layers used.
    public var projectorInputSize: Int { visionConfig.hiddenSize * visionFeatureLayers.count }

    /// A model small enough for unit tests: `LlamaConfig.tiny` and `CLIPVisionConfig.tiny` (16 patches),
    /// image token 127 (inside the 128-token vocabulary, as Hugging Face's added `<image>` token is).
    public static let tiny = LlavaConfig(textConfig: .tiny, visionConfig: .tiny, imageTokenIndex: 127)

    /// Why this shape cannot be built, or nil when it can.
    public var inconsistency: String? {
        if let problem = visionConfig.inconsistency { return "vision_config: \(problem)" }
        if visionFeatureLayers.isEmpty { return "vision_feature_layer is empty" }
        let states = visionConfig.numHiddenLayers + 1
        for layer in visionFeatureLayers where !(-states..<states).contains(layer) {
            return "vision_feature_layer \(layer) does not exist in a \(visionConfig.numHiddenLayers)-layer tower"
        }
        if imageTokenIndex < 0 { return "image_token_index \(imageTokenIndex) is negative" }
        return nil
    }

    enum Key: String, CodingKey {
        case textConfig = "text_config", visionConfig = "vision_config"
        case imageTokenIndex = "image_token_index", imageTokenID = "image_token_id"
        case projectorHiddenAct = "projector_hidden_act", multimodalProjectorBias = "multimodal_projector_bias"
        case visionFeatureLayer = "vision_feature_layer", visionFeatureSelectStrategy = "vision_feature_select_strategy"
        case tieWordEmbeddings = "tie_word_embeddings", modelType = "model_type", architectures
        case imageSeqLength = "image_seq_length", mmProjectorType = "mm_projector_type"
        case mmVisionSelectLayer = "mm_vision_select_layer", mmVisionSelectFeature = "mm_vision_select_feature"
        case mmHiddenSize = "mm_hidden_size", mmUseImStartEnd = "mm_use_im_start_end"
        case mmPatchMergeType = "mm_patch_merge_type", imageAspectRatio = "image_aspect_ratio"
        case imageGridPinpoints = "image_grid_pinpoints"
    }

    /// The `model_type` of a Hugging Face LLaVA config, and of an original LLaVA repository's config.
    static let huggingFaceModelType = "llava", originalModelTypes: Set<String> = ["llava", "llava_llama"]
}

extension LlavaConfig: Codable {
    /// Decodes a Hugging Face `LlavaConfig` or an original LLaVA config.
    /// - Throws: `DecodingError` for a missing or wrongly typed field or an inconsistent shape;
    ///   `ModelError.unsupportedConfig` naming a field MLAN does not implement (in `text_config.` or
    ///   `vision_config.` for the parts).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decodeIfPresent(String.self, forKey: .modelType)
        if c.contains(.textConfig) {
            if let type, type != Self.huggingFaceModelType {
                throw ModelError.unsupportedConfig(path: "", field: "model_type", value: "\"\(type)\"")
            }
            try self.init(huggingFace: c)
        } else {
            if let type, !Self.originalModelTypes.contains(type) {
                throw ModelError.unsupportedConfig(path: "", field: "model_type", value: "\"\(type)\"")
            }
            try self.init(original: c, decoder: decoder)
        }
        if let problem = inconsistency {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: problem))
        }
    }

    /// Hugging Face's `LlavaConfig`.
    private init(huggingFace c: KeyedDecodingContainer<Key>) throws {
        let text: LlamaConfig, vision: CLIPVisionConfig
        do {
            text = try Self.textConfig(try c.decode(JSONValue.self, forKey: .textConfig))
        } catch let error as ModelError {
            throw error.located(at: "", fieldPrefix: "text_config.")
        }
        do {
            vision = try c.decodeIfPresent(CLIPVisionConfig.self, forKey: .visionConfig) ?? CLIPVisionConfig()
        } catch let error as ModelError {
            throw error.located(at: "", fieldPrefix: "vision_config.")
        }
        let token = try c.decodeIfPresent(Int.self, forKey: .imageTokenIndex)
            ?? c.decodeIfPresent(Int.self, forKey: .imageTokenID) ?? 32_000
        self.init(textConfig: text, visionConfig: vision, imageTokenIndex: token)
        if let name = try c.decodeIfPresent(String.self, forKey: .mmProjectorType) {
            projectorType = try Self.projectorType(name, c)
        }
        if let name = try c.decodeIfPresent(String.self, forKey: .projectorHiddenAct) {
            guard let activation = ActivationKind(rawValue: name) else {
                throw ModelError.unsupportedConfig(path: "", field: "projector_hidden_act", value: "\"\(name)\"")
            }
            projectorHiddenAct = activation
        }
        multimodalProjectorBias = try c.decodeIfPresent(Bool.self, forKey: .multimodalProjectorBias) ?? true
        if let layers = try? c.decodeIfPresent([Int].self, forKey: .visionFeatureLayer) {
            visionFeatureLayers = layers
        } else {
            visionFeatureLayers = [try c.decodeIfPresent(Int.self, forKey: .visionFeatureLayer) ?? -2]
        }
        if let name = try c.decodeIfPresent(String.self, forKey: .visionFeatureSelectStrategy) {
            guard let selection = VisionFeatureSelection(rawValue: name) else {
                throw ModelError.unsupportedConfig(path: "", field: "vision_feature_select_strategy", value: "\"\(name)\"")
            }
            visionFeatureSelectStrategy = selection
        }
        if let tied = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) {
            textConfig.tieWordEmbeddings = tied
        }
    }

    /// The original LLaVA repository's flat config. It names its tower only by repository, so the tower is
    /// `userInfo[.llavaVisionConfig]` when the decoder has one, else CLIP ViT-L/14-336.
    private init(original c: KeyedDecodingContainer<Key>, decoder: any Decoder) throws {
        guard c.contains(.mmProjectorType) || c.contains(.mmHiddenSize) else {
            throw DecodingError.keyNotFound(Key.textConfig, .init(codingPath: c.codingPath,
                debugDescription: "neither a Hugging Face LlavaConfig (text_config) nor an original LLaVA config (mm_*)"))
        }
        try Self.rejectUnimplementedOriginal(c)
        let vision = decoder.userInfo[.llavaVisionConfig] as? CLIPVisionConfig ?? .vitL14_336
        self.init(textConfig: try LlamaConfig(from: decoder), visionConfig: vision,
                  imageTokenIndex: try c.decodeIfPresent(Int.self, forKey: .imageTokenIndex))
        projectorType = try Self.projectorType(try c.decodeIfPresent(String.self, forKey: .mmProjectorType) ?? "linear", c)
        visionFeatureLayers = [try c.decodeIfPresent(Int.self, forKey: .mmVisionSelectLayer) ?? -1]
        switch try c.decodeIfPresent(String.self, forKey: .mmVisionSelectFeature) ?? "patch" {
        case "patch": visionFeatureSelectStrategy = .patches
        case "cls_patch": visionFeatureSelectStrategy = .full
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .mmVisionSelectFeature, in: c,
                                                   debugDescription: "unknown mm_vision_select_feature '\(other)'")
        }
        imageAspectRatio = try c.decodeIfPresent(String.self, forKey: .imageAspectRatio)
        if let width = try c.decodeIfPresent(Int.self, forKey: .mmHiddenSize), width != vision.hiddenSize {
            throw DecodingError.dataCorruptedError(forKey: .mmHiddenSize, in: c, debugDescription:
                "mm_hidden_size \(width) differs from the vision tower's width \(vision.hiddenSize); pass its config")
        }
    }

    /// Throws for original-LLaVA fields that change the prompt or the image features in a way MLAN does not
    /// implement: `mm_use_im_start_end`, a patch merge other than `flat`, `anyres` images, grid pinpoints.
    private static func rejectUnimplementedOriginal(_ c: KeyedDecodingContainer<Key>) throws {
        func reject(_ field: String, _ value: String) -> ModelError {
            .unsupportedConfig(path: "", field: field, value: value)
        }
        if try c.decodeIfPresent(Bool.self, forKey: .mmUseImStartEnd) == true { throw reject("mm_use_im_start_end", "true") }
        if let merge = try c.decodeIfPresent(String.self, forKey: .mmPatchMergeType), merge != "flat" {
            throw reject("mm_patch_merge_type", "\"\(merge)\"")
        }
        if let ratio = try c.decodeIfPresent(String.self, forKey: .imageAspectRatio), ratio.hasPrefix("anyres") {
            throw reject("image_aspect_ratio", "\"\(ratio)\"")
        }
        if let grid = try c.decodeIfPresent(JSONValue.self, forKey: .imageGridPinpoints) {  // nil when null
            throw reject("image_grid_pinpoints", (try? grid.jsonString()) ?? "\(grid)")
        }
    }

    private static func projectorType(_ name: String, _ c: KeyedDecodingContainer<Key>) throws -> ProjectorType {
        guard let type = ProjectorType(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .mmProjectorType, in: c,
                                                   debugDescription: "unknown projector type '\(name)'")
        }
        return type
    }

    /// Decodes a `text_config`, filling the fields transformers' `LlamaConfig` defaults (Llama-2-7B's) when
    /// a config leaves them out, as llava-hf's configs do.
    static func textConfig(_ json: JSONValue) throws -> LlamaConfig {
        guard case .object(var fields) = json else {
            throw DecodingError.dataCorrupted(.init(codingPath: [Key.textConfig], debugDescription: "text_config is not an object"))
        }
        if let type = fields["model_type"]?.stringValue, type != "llama" {
            throw DecodingError.dataCorrupted(.init(codingPath: [Key.textConfig],
                debugDescription: "text_config model_type '\(type)' is not a Llama-family decoder MLAN runs"))
        }
        let defaults = LlamaConfig()
        let required: [(String, Int)] = [
            ("vocab_size", defaults.vocabSize), ("hidden_size", defaults.hiddenSize),
            ("intermediate_size", defaults.intermediateSize), ("num_hidden_layers", defaults.numHiddenLayers),
            ("num_attention_heads", defaults.numAttentionHeads),
        ]
        for (key, value) in required where fields[key] == nil { fields[key] = .int(value) }
        return try JSONDecoder().decode(LlamaConfig.self, from: JSONEncoder().encode(JSONValue.object(fields)))
    }

    /// Encodes Hugging Face's `LlavaConfig` (plus `mm_projector_type`, which transformers ignores).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode("llava", forKey: .modelType)
        try c.encode(["LlavaForConditionalGeneration"], forKey: .architectures)
        try c.encode(textConfig, forKey: .textConfig)
        try c.encode(visionConfig, forKey: .visionConfig)
        try c.encode(imageTokenIndex, forKey: .imageTokenIndex)
        try c.encode(projectorType.description, forKey: .mmProjectorType)
        try c.encode(projectorHiddenAct, forKey: .projectorHiddenAct)
        try c.encode(multimodalProjectorBias, forKey: .multimodalProjectorBias)
        if visionFeatureLayers.count == 1 {
            try c.encode(visionFeatureLayers[0], forKey: .visionFeatureLayer)
        } else {
            try c.encode(visionFeatureLayers, forKey: .visionFeatureLayer)
        }
        try c.encode(visionFeatureSelectStrategy, forKey: .visionFeatureSelectStrategy)
        try c.encode(imageSeqLength, forKey: .imageSeqLength)
        try c.encode(textConfig.tieWordEmbeddings, forKey: .tieWordEmbeddings)
    }

    /// Reads a LLaVA `config.json`. An original-LLaVA config names its tower only by repository: its tower is
    /// `visionConfig` when given, else CLIP ViT-L/14-336 (a Hugging Face config always has its own).
    /// - Throws: `ModelError.unsupportedConfig` naming the file and a field MLAN does not implement,
    ///   `ModelError.invalidConfig` naming the file and any other problem.
    public static func load(from url: URL, visionConfig: CLIPVisionConfig? = nil) throws -> LlavaConfig {
        let decoder = JSONDecoder()
        if let visionConfig { decoder.userInfo[.llavaVisionConfig] = visionConfig }
        do {
            return try decoder.decode(LlavaConfig.self, from: Data(contentsOf: url))
        } catch let error as ModelError {
            throw error.located(at: url.path)
        } catch {
            throw ModelError.invalidConfig(path: url.path, reason: InputFile.reason(for: error))
        }
    }
}

extension CodingUserInfoKey {
    /// The `CLIPVisionConfig` an original-LLaVA config's tower has (it names the tower only by repository).
    public static let llavaVisionConfig = CodingUserInfoKey(rawValue: "MLANModel.llavaVisionConfig")!
}
