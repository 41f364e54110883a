import Foundation
import MLANCore

/// Patch, class and position embeddings of a CLIP ViT (`CLIPVisionEmbeddings`).
final class CLIPVisionEmbeddings: Module {
    let config: CLIPVisionConfig
    /// Conv with kernel = stride = patch size and no bias: `[D, C, P, P]`.
    let patchEmbedding: PatchConv2D
    /// The learned class token, `[D]`.
    let classEmbedding: Tensor
    /// One vector per position (class token first), `[N + 1, D]`.
    let positionEmbedding: Embedding

    init(_ c: CLIPVisionConfig, rng: inout some RandomNumberGenerator) {
        config = c
        patchEmbedding = PatchConv2D(inChannels: c.numChannels, outChannels: c.hiddenSize, patchSize: c.patchSize,
                                     bias: false, rng: &rng)
        classEmbedding = Initializer.normal([c.hiddenSize], std: 1 / Float(c.hiddenSize).squareRoot(), rng: &rng)
            .requiringGradient()  // [D]
        positionEmbedding = Embedding(c.numPositions, c.hiddenSize, std: 0.02, rng: &rng)
    }

    func visit(_ v: inout ParameterVisitor) {
        v.module("patch_embedding", patchEmbedding)
        v.parameter("class_embedding", classEmbedding)
        v.module("position_embedding", positionEmbedding)
    }

    /// `[B, C, H, W]` pixel values -> `[B, N + 1, D]` (class token first), positions added. The caller has
    /// checked the pixel shape (`CLIPVisionModel.checkPixels`).
    func callAsFunction(_ pixels: Tensor) -> Tensor {
        let c = config
        let b = pixels.shape[0]
        let patches = patchEmbedding(pixels)                                          // [B, N, D]
        let cls = classEmbedding.reshaped([1, 1, c.hiddenSize])                       // [1, 1, D]
            .expanded(to: [b, 1, c.hiddenSize])                                       // [B, 1, D]
        let tokens = Tensor.concatenate([cls, patches], axis: 1)                      // [B, N + 1, D]
        return tokens + positionEmbedding.weight                                      // [B, N + 1, D]
    }
}

/// Bidirectional multi-head self-attention with biased projections (`CLIPAttention`).
final class CLIPAttention: Module {
    let qProj: Linear, kProj: Linear, vProj: Linear, outProj: Linear
    let heads: Int, headSize: Int

    init(_ c: CLIPVisionConfig, rng: inout some RandomNumberGenerator) {
        heads = c.numAttentionHeads
        headSize = c.headSize
        qProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        kProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        vProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        outProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
    }

    func visit(_ v: inout ParameterVisitor) {
        v.module("q_proj", qProj); v.module("k_proj", kProj); v.module("v_proj", vProj); v.module("out_proj", outProj)
    }

    /// `[B, T, D] -> [B, T, D]`; every token sees every token, scaled by `1 / sqrt(headSize)`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        let q = qProj(x).reshaped([b, t, heads, headSize]).transposed(1, 2)  // [B, H, T, Dh]
        let k = kProj(x).reshaped([b, t, heads, headSize]).transposed(1, 2)  // [B, H, T, Dh]
        let v = vProj(x).reshaped([b, t, heads, headSize]).transposed(1, 2)  // [B, H, T, Dh]
        let attended = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: AttentionMask(causal: false),
                                                        scale: 1 / Float(headSize).squareRoot())  // [B, H, T, Dh]
        return outProj(attended.transposed(1, 2).reshaped([b, t, heads * headSize]))             // [B, T, D]
    }
}

/// CLIP's feed-forward block (`CLIPMLP`): `fc2(act(fc1(x)))`, with biases.
final class CLIPMLP: Module {
    let fc1: Linear, fc2: Linear
    let activation: ActivationKind

    init(_ dimension: Int, hidden: Int, activation: ActivationKind, rng: inout some RandomNumberGenerator) {
        fc1 = Linear(dimension, hidden, rng: &rng)
        fc2 = Linear(hidden, dimension, rng: &rng)
        self.activation = activation
    }

    func visit(_ v: inout ParameterVisitor) { v.module("fc1", fc1); v.module("fc2", fc2) }

    /// `[..., D] -> [..., D]`.
    func callAsFunction(_ x: Tensor) -> Tensor { fc2(activation.apply(fc1(x))) }  // [..., I] -> [..., D]
}

/// One pre-norm transformer block of the CLIP encoder (`CLIPEncoderLayer`).
final class CLIPEncoderLayer: Module {
    let layerNorm1: LayerNorm, attention: CLIPAttention, layerNorm2: LayerNorm, mlp: CLIPMLP

    init(_ c: CLIPVisionConfig, rng: inout some RandomNumberGenerator) {
        layerNorm1 = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        attention = CLIPAttention(c, rng: &rng)
        layerNorm2 = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        mlp = CLIPMLP(c.hiddenSize, hidden: c.intermediateSize, activation: c.hiddenAct, rng: &rng)
    }

    func visit(_ v: inout ParameterVisitor) {
        v.module("layer_norm1", layerNorm1); v.module("self_attn", attention)
        v.module("layer_norm2", layerNorm2); v.module("mlp", mlp)
    }

    /// `[B, T, D] -> [B, T, D]`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = x + attention(layerNorm1(x))  // [B, T, D]
        return h + mlp(layerNorm2(h))         // [B, T, D]
    }
}

/// What a full pass of the CLIP vision tower produces.
public struct CLIPVisionOutput {
    /// The last encoder layer's output, `[B, N + 1, D]` (no final norm, as Hugging Face returns it).
    public var lastHiddenState: Tensor
    /// `post_layernorm` of the class token, `[B, D]`.
    public var pooledOutput: Tensor
    /// `numHiddenLayers + 1` states `[B, N + 1, D]`: `[0]` is `pre_layrnorm(embeddings)`, `[i]` follows layer `i`.
    public var hiddenStates: [Tensor]
}

/// A CLIP ViT image encoder (`CLIPVisionTransformer`): patch embedding, pre-norm, encoder, post-norm.
///
/// Parameter names are those under `vision_tower.` in a transformers-5 LLaVA checkpoint and under
/// `vision_model.` in a CLIP checkpoint: `embeddings.patch_embedding.weight`, `pre_layrnorm.weight` (the
/// reference's spelling), `encoder.layers.3.self_attn.q_proj.weight`, `post_layernorm.bias`.
public final class CLIPVisionModel: Module {
    /// The tower's shape.
    public let config: CLIPVisionConfig
    let embeddings: CLIPVisionEmbeddings
    let preLayerNorm: LayerNorm
    let layers: [CLIPEncoderLayer]
    let postLayerNorm: LayerNorm

    /// A randomly initialised tower; `config` must be consistent (see `CLIPVisionConfig.inconsistency`).
    public init(_ config: CLIPVisionConfig, rng: inout some RandomNumberGenerator) {
        precondition(config.inconsistency == nil, "CLIPVisionConfig: \(config.inconsistency ?? "")")
        self.config = config
        embeddings = CLIPVisionEmbeddings(config, rng: &rng)
        preLayerNorm = LayerNorm(config.hiddenSize, eps: config.layerNormEps)
        layers = (0..<config.numHiddenLayers).map { _ in CLIPEncoderLayer(config, rng: &rng) }
        postLayerNorm = LayerNorm(config.hiddenSize, eps: config.layerNormEps)
    }

    /// Lists `embeddings`, `pre_layrnorm`, `encoder.layers.N` and `post_layernorm`.
    public func visit(_ v: inout ParameterVisitor) {
        v.module("embeddings", embeddings)
        v.module("pre_layrnorm", preLayerNorm)
        for (i, layer) in layers.enumerated() { v.module("encoder.layers.\(i)", layer) }
        v.module("post_layernorm", postLayerNorm)
    }

    /// Hidden states 0 through `last` of `[B, C, H, W]` pixel values, each `[B, N + 1, D]`; only the
    /// first `last` encoder layers run. `[0]` is `pre_layrnorm(embeddings)`, `[i]` the output of layer `i`.
    /// - Throws: `ModelError.featureLayerOutOfRange` when `last` is not in `0...numHiddenLayers`,
    ///   `ModelError.inputShape` for pixel values of another shape than `[B, C, imageSize, width]`.
    public func hiddenStates(_ pixels: Tensor, through last: Int? = nil) throws -> [Tensor] {
        let last = last ?? config.numHiddenLayers
        guard (0...config.numHiddenLayers).contains(last) else {
            throw ModelError.featureLayerOutOfRange(layer: last, towerLayers: config.numHiddenLayers)
        }
        try checkPixels(pixels)
        var states = [preLayerNorm(embeddings(pixels))]  // [B, N + 1, D]
        for layer in layers.prefix(last) { states.append(layer(states[states.count - 1])) }  // [B, N + 1, D]
        return states
    }

    /// The full pass of `[B, C, H, W]` pixel values: every hidden state, the last one and the pooled class token.
    /// - Throws: `ModelError.inputShape` for pixel values of another shape than `[B, C, imageSize, width]`.
    public func callAsFunction(_ pixels: Tensor) throws -> CLIPVisionOutput {
        let states = try hiddenStates(pixels)
        let last = states[states.count - 1]                                   // [B, N + 1, D]
        let cls = last.slice(axis: 1, 0..<1).reshaped([last.shape[0], config.hiddenSize])  // [B, D]
        return CLIPVisionOutput(lastHiddenState: last, pooledOutput: postLayerNorm(cls), hiddenStates: states)
    }

    /// Throws unless `pixels` is `[B, C, imageSize, width]` with B ≥ 1, as this tower takes.
    /// - Throws: `ModelError.inputShape` naming both shapes.
    public func checkPixels(_ pixels: Tensor) throws {
        let c = config
        guard pixels.rank == 4, pixels.shape[0] > 0, pixels.shape[1] == c.numChannels, pixels.shape[2] == c.imageSize,
              pixels.shape[3] == c.width else {
            throw ModelError.inputShape(what: "CLIP pixel values", shape: pixels.shape,
                                        expected: [pixels.shape.first ?? 1, c.numChannels, c.imageSize, c.width])
        }
    }

    /// Reads a Hugging Face CLIP (or CLIP vision) model directory: `config.json` and `model.safetensors`
    /// (or shards), with the tower's tensors under `vision_model.` (any text tower is ignored) or at the top.
    /// - Throws: `ModelError.invalidConfig` for the config, `CheckpointError` when the weights do not fit.
    public static func load(from directory: URL) throws -> CLIPVisionModel {
        let config = try CLIPVisionConfig.load(from: directory.appendingPathComponent("config.json"))
        var rng = SplitMix64(seed: 0)
        let model = CLIPVisionModel(config, rng: &rng)
        let source = try SafetensorsSource(directory: directory)
        let prefix = source.names.contains { $0.hasPrefix("vision_model.") } ? "vision_model." : ""
        try CheckpointLoader.load(model, from: RenamedSource(source, rename: LlavaKeyMap.droppingBuffers), prefix: prefix)
        return model
    }
}
