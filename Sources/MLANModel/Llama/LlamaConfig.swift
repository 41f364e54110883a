import Foundation
import MLANCore

/// The shape of a Llama-family decoder, with Hugging Face `config.json` field names in camelCase.
public struct LlamaConfig: Equatable, Sendable, Codable {
    public var vocabSize = 32_000
    public var hiddenSize = 4096
    public var intermediateSize = 11_008
    public var numHiddenLayers = 32
    public var numAttentionHeads = 32
    public var numKeyValueHeads = 32
    /// Per-head size; `hiddenSize / numAttentionHeads` unless the config says otherwise.
    public var headDim: Int? = nil
    public var rmsNormEps: Float = 1e-6
    public var ropeTheta: Float = 10_000
    public var maxPositionEmbeddings = 4096
    public var tieWordEmbeddings = false
    public var hiddenAct: ActivationKind = .silu
    public var attentionBias = false
    public var bosTokenID: Int? = 1
    public var eosTokenID: Int? = 2
    public var padTokenID: Int? = nil
    /// Standard deviation of the token embeddings at random initialisation (Hugging Face's `initializer_range`,
    /// 0.02 by default; linear layers start as PyTorch's do, uniform in ±1/sqrt(in)). Small models learn
    /// attention by content sooner with about 1/sqrt(hidden_size) (Docs/RECIPE.md).
    public var initializerRange: Float = 0.02

    /// The per-head size in use.
    public var headSize: Int { headDim ?? hiddenSize / numAttentionHeads }

    public init(vocabSize: Int = 32_000, hiddenSize: Int = 4096, intermediateSize: Int = 11_008,
                numHiddenLayers: Int = 32, numAttentionHeads: Int = 32, numKeyValueHeads: Int? = nil,
                rmsNormEps: Float = 1e-6, ropeTheta: Float = 10_000, maxPositionEmbeddings: Int = 4096,
                tieWordEmbeddings: Bool = false) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads ?? numAttentionHeads
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
    }

    /// A two-layer model small enough for unit tests.
    public static let tiny = LlamaConfig(vocabSize: 128, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2,
                                         numAttentionHeads: 4, numKeyValueHeads: 2, rmsNormEps: 1e-5,
                                         maxPositionEmbeddings: 128)

    enum Key: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim", rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta", ropeParameters = "rope_parameters"
        case maxPositionEmbeddings = "max_position_embeddings", tieWordEmbeddings = "tie_word_embeddings"
        case hiddenAct = "hidden_act", attentionBias = "attention_bias", modelType = "model_type"
        case bosTokenID = "bos_token_id", eosTokenID = "eos_token_id", padTokenID = "pad_token_id"
        case initializerRange = "initializer_range"
        case architectures, torchDtype = "torch_dtype"
        case ropeScaling = "rope_scaling", mlpBias = "mlp_bias", slidingWindow = "sliding_window"
        case useSlidingWindow = "use_sliding_window", attentionDropout = "attention_dropout"
    }

    enum RopeKey: String, CodingKey { case ropeTheta = "rope_theta", ropeType = "rope_type" }
}

extension LlamaConfig {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        self.init()
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        numHiddenLayers = try c.decode(Int.self, forKey: .numHiddenLayers)
        numAttentionHeads = try c.decode(Int.self, forKey: .numAttentionHeads)
        numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads) ?? numAttentionHeads
        headDim = try c.decodeIfPresent(Int.self, forKey: .headDim)
        rmsNormEps = try c.decodeIfPresent(Float.self, forKey: .rmsNormEps) ?? rmsNormEps
        if let theta = try c.decodeIfPresent(Float.self, forKey: .ropeTheta) {
            ropeTheta = theta
        } else if c.contains(.ropeParameters) {
            let rope = try c.nestedContainer(keyedBy: RopeKey.self, forKey: .ropeParameters)
            ropeTheta = try rope.decodeIfPresent(Float.self, forKey: .ropeTheta) ?? ropeTheta
        }
        try Self.rejectUnimplemented(c)
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? maxPositionEmbeddings
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        if let name = try c.decodeIfPresent(String.self, forKey: .hiddenAct) {
            guard let activation = ActivationKind(rawValue: name) else {
                throw ModelError.unsupportedConfig(path: "", field: "hidden_act", value: "\"\(name)\"")
            }
            hiddenAct = activation
        }
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? initializerRange
        bosTokenID = try c.decodeIfPresent(Int.self, forKey: .bosTokenID)
        eosTokenID = try Self.decodeFirstID(c, .eosTokenID)
        padTokenID = try c.decodeIfPresent(Int.self, forKey: .padTokenID)
        if let problem = inconsistency { throw ModelError.invalidConfig(path: "", reason: problem) }
    }

    /// Throws for every field whose value changes the computation in a way the decoder does not implement:
    /// a non-null `rope_scaling`, a `rope_parameters.rope_type` other than `default`, `mlp_bias: true`, a
    /// sliding window, or attention dropout.
    private static func rejectUnimplemented(_ c: KeyedDecodingContainer<Key>) throws {
        func reject(_ field: String, _ value: String) -> ModelError {
            .unsupportedConfig(path: "", field: field, value: value)
        }
        if let scaling = try c.decodeIfPresent(JSONValue.self, forKey: .ropeScaling) {  // nil when null
            throw reject("rope_scaling", (try? scaling.jsonString()) ?? "\(scaling)")
        }
        if c.contains(.ropeParameters), try c.decodeNil(forKey: .ropeParameters) == false {
            let rope = try c.nestedContainer(keyedBy: RopeKey.self, forKey: .ropeParameters)
            if let type = try rope.decodeIfPresent(String.self, forKey: .ropeType), type != "default" {
                throw reject("rope_parameters.rope_type", "\"\(type)\"")
            }
        }
        if try c.decodeIfPresent(Bool.self, forKey: .mlpBias) == true { throw reject("mlp_bias", "true") }
        if let window = try c.decodeIfPresent(Int.self, forKey: .slidingWindow) {
            throw reject("sliding_window", "\(window)")
        }
        if try c.decodeIfPresent(Bool.self, forKey: .useSlidingWindow) == true {
            throw reject("use_sliding_window", "true")
        }
        if let dropout = try c.decodeIfPresent(Double.self, forKey: .attentionDropout), dropout != 0 {
            throw reject("attention_dropout", "\(dropout)")
        }
    }

    /// Why this shape cannot be built, naming the `config.json` field, or nil when it can.
    public var inconsistency: String? {
        let positive: [(String, Int)] = [
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
            ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
            ("num_key_value_heads", numKeyValueHeads), ("max_position_embeddings", maxPositionEmbeddings),
        ]
        for (field, value) in positive where value <= 0 { return "\(field) \(value) is not positive" }
        if numAttentionHeads % numKeyValueHeads != 0 {
            return "num_attention_heads \(numAttentionHeads) is not a multiple of num_key_value_heads \(numKeyValueHeads)"
        }
        if headDim == nil, hiddenSize % numAttentionHeads != 0 {
            return "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads) (and no head_dim)"
        }
        if headSize <= 0 || headSize % 2 != 0 { return "head_dim \(headSize) is not a positive even number (RoPE)" }
        if !(initializerRange.isFinite && initializerRange > 0) {
            return "initializer_range \(initializerRange) is not a positive number"
        }
        return nil
    }

    /// `eos_token_id` may be one id or a list; the first is used.
    private static func decodeFirstID(_ c: KeyedDecodingContainer<Key>, _ key: Key) throws -> Int? {
        if let list = try? c.decodeIfPresent([Int].self, forKey: key) { return list.first }
        return try c.decodeIfPresent(Int.self, forKey: key)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode("llama", forKey: .modelType)
        try c.encode(["LlamaForCausalLM"], forKey: .architectures)
        try c.encode("float32", forKey: .torchDtype)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(numKeyValueHeads, forKey: .numKeyValueHeads)
        try c.encode(headSize, forKey: .headDim)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encode(attentionBias, forKey: .attentionBias)
        try c.encodeIfPresent(bosTokenID, forKey: .bosTokenID)
        try c.encodeIfPresent(eosTokenID, forKey: .eosTokenID)
        try c.encodeIfPresent(padTokenID, forKey: .padTokenID)
        try c.encode(initializerRange, forKey: .initializerRange)
    }

    /// Reads a `config.json`.
    /// - Throws: `ModelError.unsupportedConfig` naming the file and a field MLAN does not implement,
    ///   `ModelError.invalidConfig` naming the file and any other problem.
    public static func load(from url: URL) throws -> LlamaConfig {
        do {
            return try JSONDecoder().decode(LlamaConfig.self, from: InputFile.read(url))
        } catch let error as ModelError {
            throw error.located(at: url.path)
        } catch {
            throw ModelError.invalidConfig(path: url.path, reason: InputFile.reason(for: error))
        }
    }
}
