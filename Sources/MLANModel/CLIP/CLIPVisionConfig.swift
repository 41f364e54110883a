import Foundation
import MLANCore

/// The shape of a CLIP ViT vision tower, with Hugging Face `CLIPVisionConfig` field names in camelCase.
///
/// Defaults are CLIP ViT-L/14 at 336 px (LLaVA-1.5's tower); any field a `config.json` leaves out keeps its
/// default, as transformers does.
public struct CLIPVisionConfig: Equatable, Sendable {
    /// Token width `D` (`hidden_size`).
    public var hiddenSize = 1024
    /// MLP width (`intermediate_size`).
    public var intermediateSize = 4096
    /// Encoder layers (`num_hidden_layers`).
    public var numHiddenLayers = 24
    /// Attention heads per layer (`num_attention_heads`).
    public var numAttentionHeads = 16
    /// Height (and, unless `imageWidth` is set, width) of the input image in pixels (`image_size`).
    public var imageSize = 336
    /// Width of a non-square input (MLAN's `image_width`, e.g. the micro world's 4:1 scenes); nil: square.
    public var imageWidth: Int? = nil
    /// Side of a square patch in pixels (`patch_size`).
    public var patchSize = 14
    /// Input channels (`num_channels`).
    public var numChannels = 3
    /// Epsilon of every LayerNorm (`layer_norm_eps`).
    public var layerNormEps: Float = 1e-5
    /// The MLP activation (`hidden_act`: `quick_gelu` for OpenAI CLIP, or `gelu`).
    public var hiddenAct: ActivationKind = .quickGELU

    /// A config with the given fields; the defaults are ViT-L/14-336's.
    public init(hiddenSize: Int = 1024, intermediateSize: Int = 4096, numHiddenLayers: Int = 24,
                numAttentionHeads: Int = 16, imageSize: Int = 336, patchSize: Int = 14, numChannels: Int = 3,
                layerNormEps: Float = 1e-5, hiddenAct: ActivationKind = .quickGELU) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.numChannels = numChannels
        self.layerNormEps = layerNormEps
        self.hiddenAct = hiddenAct
    }

    /// Per-head size, `hiddenSize / numAttentionHeads`.
    public var headSize: Int { hiddenSize / numAttentionHeads }
    /// Patches per side, `imageSize / patchSize` (the rows of the grid).
    public var patchesPerSide: Int { imageSize / patchSize }
    /// The input width in pixels.
    public var width: Int { imageWidth ?? imageSize }
    /// Patch tokens per image (576 for ViT-L/14-336).
    public var numPatches: Int { patchesPerSide * (width / patchSize) }
    /// Positions per image: the patches and the class token.
    public var numPositions: Int { numPatches + 1 }

    /// CLIP ViT-L/14 at 336 px (`openai/clip-vit-large-patch14-336`).
    public static let vitL14_336 = CLIPVisionConfig()
    /// CLIP ViT-B/16 at 224 px (`openai/clip-vit-base-patch16`).
    public static let vitB16_224 = CLIPVisionConfig(hiddenSize: 768, intermediateSize: 3072, numHiddenLayers: 12,
                                                    numAttentionHeads: 12, imageSize: 224, patchSize: 16)
    /// A two-layer tower small enough for unit tests: 16 px images, 4 px patches (16 patches).
    public static let tiny = CLIPVisionConfig(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2,
                                              numAttentionHeads: 2, imageSize: 16, patchSize: 4)

    /// Why this shape cannot be built, or nil when it can.
    public var inconsistency: String? {
        if hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0 {
            return "hidden_size \(hiddenSize) is not a positive multiple of num_attention_heads \(numAttentionHeads)"
        }
        if patchSize <= 0 || imageSize <= 0 || imageSize % patchSize != 0 {
            return "image_size \(imageSize) is not a positive multiple of patch_size \(patchSize)"
        }
        if let imageWidth, imageWidth <= 0 || imageWidth % patchSize != 0 {
            return "image_width \(imageWidth) is not a positive multiple of patch_size \(patchSize)"
        }
        if numHiddenLayers < 1 || intermediateSize < 1 || numChannels < 1 {
            return "num_hidden_layers, intermediate_size and num_channels must be positive"
        }
        return nil
    }

    enum Key: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case imageSize = "image_size", imageWidth = "image_width", patchSize = "patch_size", numChannels = "num_channels"
        case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act", modelType = "model_type"
        case visionConfig = "vision_config", attentionDropout = "attention_dropout"
    }

    /// The `model_type` values of a CLIP vision tower (`clip_vision_model`) or a full CLIP config (`clip`).
    static let clipModelTypes: Set<String> = ["clip_vision_model", "clip"]
}

extension CLIPVisionConfig: Codable {
    /// Decodes a `CLIPVisionConfig` object, or the `vision_config` of a full `CLIPConfig`.
    /// - Throws: `DecodingError` for a wrongly typed field or an inconsistent shape; `ModelError.unsupportedConfig`
    ///   for a field MLAN does not implement (another `model_type` such as SigLIP's, an unknown `hidden_act`,
    ///   attention dropout).
    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: Key.self)
        if let type = try outer.decodeIfPresent(String.self, forKey: .modelType), !Self.clipModelTypes.contains(type) {
            throw ModelError.unsupportedConfig(path: "", field: "model_type", value: "\"\(type)\"")
        }
        if outer.contains(.visionConfig) {
            do {
                self = try outer.decode(CLIPVisionConfig.self, forKey: .visionConfig)
            } catch let error as ModelError {
                throw error.located(at: "", fieldPrefix: "vision_config.")
            }
            return
        }
        let c = outer
        if let dropout = try c.decodeIfPresent(Double.self, forKey: .attentionDropout), dropout != 0 {
            throw ModelError.unsupportedConfig(path: "", field: "attention_dropout", value: "\(dropout)")
        }
        self.init()
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? imageSize
        imageWidth = try c.decodeIfPresent(Int.self, forKey: .imageWidth)
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? patchSize
        numChannels = try c.decodeIfPresent(Int.self, forKey: .numChannels) ?? numChannels
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? layerNormEps
        if let name = try c.decodeIfPresent(String.self, forKey: .hiddenAct) {
            guard let activation = ActivationKind(rawValue: name) else {
                throw ModelError.unsupportedConfig(path: "", field: "hidden_act", value: "\"\(name)\"")
            }
            hiddenAct = activation
        }
        if let problem = inconsistency {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: problem))
        }
    }

    /// Encodes the Hugging Face `CLIPVisionConfig` fields (`model_type` `clip_vision_model`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode("clip_vision_model", forKey: .modelType)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(imageSize, forKey: .imageSize)
        try c.encodeIfPresent(imageWidth, forKey: .imageWidth)
        try c.encode(patchSize, forKey: .patchSize)
        try c.encode(numChannels, forKey: .numChannels)
        try c.encode(layerNormEps, forKey: .layerNormEps)
        try c.encode(hiddenAct, forKey: .hiddenAct)
    }

    /// Reads a CLIP `config.json` (a vision config, or a full CLIP config whose `vision_config` is used).
    /// - Throws: `ModelError.unsupportedConfig` naming the file and a field MLAN does not implement,
    ///   `ModelError.invalidConfig` naming the file and any other problem.
    public static func load(from url: URL) throws -> CLIPVisionConfig {
        do {
            return try JSONDecoder().decode(CLIPVisionConfig.self, from: Data(contentsOf: url))
        } catch let error as ModelError {
            throw error.located(at: url.path)
        } catch {
            throw ModelError.invalidConfig(path: url.path, reason: InputFile.reason(for: error))
        }
    }
}
