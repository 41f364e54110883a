import MLANCore

/// Multi-head attention with grouped key/value heads and rotary positions (`LlamaAttention`).
final class LlamaAttention: Module {
    var qProj: any LinearLayer, kProj: any LinearLayer, vProj: any LinearLayer, oProj: any LinearLayer
    let heads: Int, kvHeads: Int, headSize: Int, ropeTheta: Float

    init(_ c: LlamaConfig, rng: inout some RandomNumberGenerator) {
        heads = c.numAttentionHeads
        kvHeads = c.numKeyValueHeads
        headSize = c.headSize
        ropeTheta = c.ropeTheta
        qProj = Linear(c.hiddenSize, heads * headSize, bias: c.attentionBias, rng: &rng)
        kProj = Linear(c.hiddenSize, kvHeads * headSize, bias: c.attentionBias, rng: &rng)
        vProj = Linear(c.hiddenSize, kvHeads * headSize, bias: c.attentionBias, rng: &rng)
        oProj = Linear(heads * headSize, c.hiddenSize, bias: c.attentionBias, rng: &rng)
    }

    /// An attention block over the given projections (`[H·Dh, D]`, `[Hkv·Dh, D]`, `[Hkv·Dh, D]`, `[D, H·Dh]`).
    init(_ c: LlamaConfig, q: Linear, k: Linear, v: Linear, o: Linear) {
        (heads, kvHeads, headSize, ropeTheta) = (c.numAttentionHeads, c.numKeyValueHeads, c.headSize, c.ropeTheta)
        (qProj, kProj, vProj, oProj) = (q, k, v, o)
    }

    func visit(_ v: inout ParameterVisitor) {
        v.module("q_proj", qProj); v.module("k_proj", kProj); v.module("v_proj", vProj); v.module("o_proj", oProj)
    }

    /// `[B, T, D] -> [B, T, D]`; with a cache slot the keys and values of the T new positions join it.
    func callAsFunction(_ x: Tensor, positions: [Int], mask: AttentionMask, cache: LayerKVCache?) -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        let q = qProj(x).reshaped([b, t, heads, headSize]).transposed(1, 2)      // [B, H, T, Dh]
            .rotaryEmbedding(positions: positions, base: ropeTheta)
        let k = kProj(x).reshaped([b, t, kvHeads, headSize]).transposed(1, 2)    // [B, Hkv, T, Dh]
            .rotaryEmbedding(positions: positions, base: ropeTheta)
        let v = vProj(x).reshaped([b, t, kvHeads, headSize]).transposed(1, 2)    // [B, Hkv, T, Dh]
        let attended = cache.map { $0.attend(query: q, keys: k, values: v, mask: mask) }     // over S cached + T
            ?? Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: mask)   // [B, H, T, Dh]
        return oProj(attended.transposed(1, 2).reshaped([b, t, heads * headSize]))            // [B, T, D]
    }
}

/// Llama's gated feed-forward block (`LlamaMLP`): `down(act(gate(x)) * up(x))`, no biases.
final class LlamaMLP: Module {
    var gateProj: any LinearLayer, upProj: any LinearLayer, downProj: any LinearLayer
    let activation: ActivationKind

    init(_ dimension: Int, hidden: Int, activation: ActivationKind, rng: inout some RandomNumberGenerator) {
        gateProj = Linear(dimension, hidden, bias: false, rng: &rng)
        upProj = Linear(dimension, hidden, bias: false, rng: &rng)
        downProj = Linear(hidden, dimension, bias: false, rng: &rng)
        self.activation = activation
    }

    /// A block over the given projections.
    init(gate: Linear, up: Linear, down: Linear, activation: ActivationKind) {
        (gateProj, upProj, downProj, self.activation) = (gate, up, down, activation)
    }

    func visit(_ v: inout ParameterVisitor) {
        v.module("gate_proj", gateProj); v.module("up_proj", upProj); v.module("down_proj", downProj)
    }

    /// `[..., D] -> [..., D]`; SiLU's gating is one fused op (`Tensor.swiGLU`, the same bits).
    func callAsFunction(_ x: Tensor) -> Tensor {
        let gate = gateProj(x)
        if activation == .silu { return downProj(gate.swiGLU(upProj(x))) }  // [..., I] -> [..., D]
        return downProj(activation.apply(gate) * upProj(x))
    }
}

/// One pre-norm decoder block: attention and a gated MLP, each with a residual.
final class LlamaDecoderLayer: Module {
    let attention: LlamaAttention, mlp: LlamaMLP, inputNorm: RMSNorm, postAttentionNorm: RMSNorm

    init(_ c: LlamaConfig, rng: inout some RandomNumberGenerator) {
        attention = LlamaAttention(c, rng: &rng)
        mlp = LlamaMLP(c.hiddenSize, hidden: c.intermediateSize, activation: c.hiddenAct, rng: &rng)
        inputNorm = RMSNorm(c.hiddenSize, eps: c.rmsNormEps)
        postAttentionNorm = RMSNorm(c.hiddenSize, eps: c.rmsNormEps)
    }

    /// A block of the given parts.
    init(attention: LlamaAttention, mlp: LlamaMLP, inputNorm: RMSNorm, postAttentionNorm: RMSNorm) {
        (self.attention, self.mlp, self.inputNorm, self.postAttentionNorm) = (attention, mlp, inputNorm, postAttentionNorm)
    }

    func visit(_ v: inout ParameterVisitor) {
        v.module("self_attn", attention); v.module("mlp", mlp)
        v.module("input_layernorm", inputNorm); v.module("post_attention_layernorm", postAttentionNorm)
    }

    /// `[B, T, D] -> [B, T, D]`; `cache` is this layer's own slot.
    func callAsFunction(_ x: Tensor, positions: [Int], mask: AttentionMask, cache: LayerKVCache?) -> Tensor {
        let h = x + attention(inputNorm(x), positions: positions, mask: mask, cache: cache)  // [B, T, D]
        return h + mlp(postAttentionNorm(h))                                                  // [B, T, D]
    }
}

/// The Llama decoder stack without a head (`LlamaModel`): embeddings, layers, final norm.
public final class LlamaModel: Module {
    public let config: LlamaConfig
    public let embedTokens: Embedding
    let layers: [LlamaDecoderLayer]
    public let norm: RMSNorm

    /// A randomly initialised decoder; `config` must be consistent (see `LlamaConfig.inconsistency`; configs
    /// read from files are checked when read).
    public init(_ config: LlamaConfig, rng: inout some RandomNumberGenerator) {
        precondition(config.inconsistency == nil, "LlamaConfig: \(config.inconsistency ?? "")")
        self.config = config
        embedTokens = Embedding(config.vocabSize, config.hiddenSize, std: config.initializerRange, rng: &rng)
        layers = (0..<config.numHiddenLayers).map { _ in LlamaDecoderLayer(config, rng: &rng) }
        norm = RMSNorm(config.hiddenSize, eps: config.rmsNormEps)
    }

    /// A decoder of the given parts (built by a loader, without a random initialisation).
    init(_ config: LlamaConfig, embedTokens: Embedding, layers: [LlamaDecoderLayer], norm: RMSNorm) {
        precondition(config.inconsistency == nil, "LlamaConfig: \(config.inconsistency ?? "")")
        precondition(layers.count == config.numHiddenLayers, "LlamaModel: \(layers.count) layers for \(config.numHiddenLayers)")
        (self.config, self.embedTokens, self.layers, self.norm) = (config, embedTokens, layers, norm)
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.module("embed_tokens", embedTokens)
        for (i, layer) in layers.enumerated() { v.module("layers.\(i)", layer) }
        v.module("norm", norm)
    }

    /// Final hidden states `[B, T, D]` of input embeddings `[B, T, D]`.
    ///
    /// `padding[b][s]` is false for padded keys (s counts cached positions first); a cache makes the T new
    /// positions follow the cached ones. A token's rotary position is the number of real (unpadded) positions
    /// before it in its row, so padding anywhere (and rows of different lengths in the cache) never moves a token:
    /// each real token gets the position it has in its row alone.
    public func callAsFunction(embeddings: Tensor, padding: [[Bool]]? = nil, cache: KVCache? = nil) -> Tensor {
        precondition(embeddings.rank == 3 && embeddings.shape[2] == config.hiddenSize,
                     "LlamaModel expects [B, T, \(config.hiddenSize)] embeddings, got \(embeddings.shape)")
        if let cache {
            precondition(cache.layers.count == layers.count,
                         "a KVCache of \(cache.layers.count) layers for a \(layers.count)-layer model; use makeCache()")
        }
        let positions = Self.positions(start: cache?.length ?? 0, count: embeddings.shape[1], padding: padding)
        let mask = AttentionMask(causal: true, keyPadding: padding)
        var h = embeddings                                                                  // [B, T, D]
        for (i, layer) in layers.enumerated() {
            h = layer(h, positions: positions, mask: mask, cache: cache?.layers[i])         // [B, T, D]
        }
        return norm(h)                                                                      // [B, T, D]
    }

    /// Rotary positions of `count` new tokens after `start` cached ones: `start..<start + count` shared by the
    /// batch without padding, else B·count per-row positions, each the number of real positions before it.
    static func positions(start: Int, count: Int, padding: [[Bool]]?) -> [Int] {
        guard let padding else { return Array(start..<(start + count)) }
        return padding.flatMap { row in
            precondition(row.count == start + count, "padding of \(row.count) positions for \(start) cached + \(count) new")
            var real = row[..<start].reduce(0) { $1 ? $0 + 1 : $0 }
            return (start..<(start + count)).map { s in
                defer { if row[s] { real += 1 } }
                return real
            }
        }
    }
}

/// A Llama decoder with its language-model head (`LlamaForCausalLM`); the head may be tied to the embeddings.
public final class LlamaForCausalLM: Module {
    public let model: LlamaModel
    /// `[V, D]`, or nil when tied to `model.embedTokens.weight`.
    public let lmHead: Linear?
    public var config: LlamaConfig { model.config }

    public init(_ config: LlamaConfig, rng: inout some RandomNumberGenerator) {
        model = LlamaModel(config, rng: &rng)
        lmHead = config.tieWordEmbeddings ? nil : Linear(config.hiddenSize, config.vocabSize, bias: false, rng: &rng)
    }

    /// A model of the given parts; `lmHead` nil means tied to the embeddings.
    init(model: LlamaModel, lmHead: Linear?) {
        self.model = model
        self.lmHead = lmHead
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.module("model", model)
        v.module("lm_head", lmHead)
    }

    /// Token embeddings `[n, D]` of `ids`.
    public func embed(_ ids: [Int]) -> Tensor { model.embedTokens(ids) }

    /// Embeddings `[B, T, D]` of equal-length rows of ids.
    public func embed(batch ids: [[Int]]) -> Tensor {
        let t = ids.first?.count ?? 0
        precondition(ids.allSatisfy { $0.count == t }, "embed(batch:) needs rows of equal length")
        return embed(ids.flatMap { $0 }).reshaped([ids.count, t, config.hiddenSize])
    }

    /// Logits `[B, T, V]` for input embeddings `[B, T, D]`.
    public func logits(embeddings: Tensor, padding: [[Bool]]? = nil, cache: KVCache? = nil) -> Tensor {
        head(model(embeddings: embeddings, padding: padding, cache: cache))
    }

    /// Logits `[B, V]` of each row's last real position among the T new ones (the last position without
    /// padding, or when a row's new positions are all padding) for input embeddings `[B, T, D]`: the head runs on
    /// those positions only.
    public func lastLogits(embeddings: Tensor, padding: [[Bool]]? = nil, cache: KVCache? = nil) -> Tensor {
        let hidden = model(embeddings: embeddings, padding: padding, cache: cache)  // [B, T, D]
        let (b, t, d) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        let start = cache.map { $0.length - t } ?? 0                                 // cached positions before these
        let last = (0..<b).map { row in padding?[row][start...].lastIndex(of: true).map { $0 - start } ?? t - 1 }
        guard last.contains(where: { $0 != t - 1 }) else {
            return head(hidden.slice(axis: 1, (t - 1)..<t).reshaped([b, d]))         // [B, V]
        }
        let rows = last.enumerated().map { row, position in
            hidden.slice(axis: 0, row..<(row + 1)).slice(axis: 1, position..<(position + 1)).reshaped([1, d])
        }
        return head(Tensor.concatenate(rows, axis: 0))                               // [B, D] -> [B, V]
    }

    /// Logits `[B, T, V]` for equal-length rows of token ids.
    public func logits(ids: [[Int]], padding: [[Bool]]? = nil, cache: KVCache? = nil) -> Tensor {
        logits(embeddings: embed(batch: ids), padding: padding, cache: cache)
    }

    /// The head applied to hidden states: `[..., D] -> [..., V]`.
    public func head(_ hidden: Tensor) -> Tensor {
        if let lmHead { return lmHead(hidden) }
        return model.embedTokens.attend(hidden)
    }

    /// A fresh cache sized for this model.
    public func makeCache() -> KVCache { KVCache(layers: config.numHiddenLayers) }
}

extension Tensor {
    /// Hugging Face's causal-LM loss: cross-entropy of `[B, T, V]` logits at positions 0..<T-1 against
    /// `labels[:, 1...]` (-100 ignored), averaged over supervised targets.
    public func causalLMLoss(labels: [[Int]]) -> Tensor {
        precondition(rank == 3 && labels.count == shape[0] && labels.allSatisfy { $0.count == shape[1] },
                     "causalLMLoss: labels \(labels.count)×\(labels.first?.count ?? 0) do not fit logits \(shape)")
        let (b, t, v) = (shape[0], shape[1], shape[2])
        guard t > 1 else { return Tensor(0) }
        let shifted = slice(axis: 1, 0..<(t - 1)).reshaped([b * (t - 1), v])
        return shifted.crossEntropy(targets: labels.flatMap { $0.dropFirst() })
    }
}
