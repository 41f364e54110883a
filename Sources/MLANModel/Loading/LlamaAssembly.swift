import MLANCore

/// Builds a `LlamaForCausalLM` straight from a checkpoint's tensors, in a chosen `WeightForm`: no placeholder
/// initialisation, and frozen matrices read in place from a mapped GGUF file.
struct LlamaAssembly {
    let config: LlamaConfig
    /// The checkpoint's tensors under Hugging Face names; `.native` takes its matrices' stored form from
    /// `frozenMatrix(named:)` (GGUF blocks, BF16/F16 safetensors), read in place.
    let source: any TensorSource
    let form: WeightForm

    /// Every parameter name a Float32 model of `config` has, with its shape, in visiting order.
    static func expectedParameters(_ c: LlamaConfig) -> [(name: String, shape: [Int])] {
        let (d, q, kv, ffn) = (c.hiddenSize, c.numAttentionHeads * c.headSize, c.numKeyValueHeads * c.headSize, c.intermediateSize)
        var out: [(String, [Int])] = [("model.embed_tokens.weight", [c.vocabSize, d])]
        for i in 0..<c.numHiddenLayers {
            let p = "model.layers.\(i)."
            for (name, rows, columns) in [("q_proj", q, d), ("k_proj", kv, d), ("v_proj", kv, d), ("o_proj", d, q)] {
                out.append((p + "self_attn.\(name).weight", [rows, columns]))
                if c.attentionBias { out.append((p + "self_attn.\(name).bias", [rows])) }
            }
            out += [(p + "mlp.gate_proj.weight", [ffn, d]), (p + "mlp.up_proj.weight", [ffn, d]),
                    (p + "mlp.down_proj.weight", [d, ffn]),
                    (p + "input_layernorm.weight", [d]), (p + "post_attention_layernorm.weight", [d])]
        }
        out.append(("model.norm.weight", [d]))
        if !c.tieWordEmbeddings { out.append(("lm_head.weight", [c.vocabSize, d])) }
        return out
    }

    /// Checks the source against the expected parameters as `CheckpointLoader` does, then builds the model.
    /// - Throws: `CheckpointError.incompatible` with the report, or the source's read errors.
    func build() throws -> LlamaForCausalLM {
        var report = LoadReport()
        let expected = Self.expectedParameters(config)
        let available = Set(source.names)
        for (name, shape) in expected {
            guard available.contains(name) else { report.missing.append(name); continue }
            let stored = try source.shape(of: name)
            if stored != shape { report.shapeMismatches.append((name, shape, stored)) }
        }
        let known = Set(expected.map(\.name))
        report.unexpected = source.names.filter { !known.contains($0) }.sorted()
        guard report.isClean else { throw CheckpointError.incompatible(path: source.path, report: report) }

        let c = config
        let layers = try (0..<c.numHiddenLayers).map { i in
            let p = "model.layers.\(i)."
            let attention = LlamaAttention(c, q: try linear(p + "self_attn.q_proj", bias: c.attentionBias),
                                           k: try linear(p + "self_attn.k_proj", bias: c.attentionBias),
                                           v: try linear(p + "self_attn.v_proj", bias: c.attentionBias),
                                           o: try linear(p + "self_attn.o_proj", bias: c.attentionBias))
            let mlp = LlamaMLP(gate: try linear(p + "mlp.gate_proj", bias: false), up: try linear(p + "mlp.up_proj", bias: false),
                               down: try linear(p + "mlp.down_proj", bias: false), activation: c.hiddenAct)
            return LlamaDecoderLayer(attention: attention, mlp: mlp,
                                     inputNorm: RMSNorm(weight: try source.tensor(named: p + "input_layernorm.weight"), eps: c.rmsNormEps),
                                     postAttentionNorm: RMSNorm(weight: try source.tensor(named: p + "post_attention_layernorm.weight"),
                                                                eps: c.rmsNormEps))
        }
        let embedding: Embedding
        switch try matrix("model.embed_tokens.weight") {
        case .float32(let w): embedding = Embedding(weight: w)
        case .frozen(let m): embedding = Embedding(frozen: m)
        }
        let model = LlamaModel(c, embedTokens: embedding, layers: layers,
                               norm: RMSNorm(weight: try source.tensor(named: "model.norm.weight"), eps: c.rmsNormEps))
        return LlamaForCausalLM(model: model, lmHead: c.tieWordEmbeddings ? nil : try linear("lm_head", bias: false))
    }

    private enum Matrix { case float32(Tensor), frozen(FrozenMatrix) }

    private func linear(_ name: String, bias: Bool) throws -> Linear {
        let b = bias ? try source.tensor(named: name + ".bias") : nil
        switch try matrix(name + ".weight") {
        case .float32(let w): return Linear(weight: w, bias: b)
        case .frozen(let m): return Linear(frozen: m, bias: b)
        }
    }

    /// A weight matrix in this assembly's form.
    private func matrix(_ name: String) throws -> Matrix {
        if form == .native, let frozen = try source.frozenMatrix(named: name) { return .frozen(frozen) }
        let w = try source.tensor(named: name)
        guard let type = form.encoding else { return .float32(w) }
        return .frozen(FrozenMatrix(encoding: w, as: type))
    }
}
