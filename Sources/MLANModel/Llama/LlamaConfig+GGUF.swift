import MLANCore

extension LlamaConfig {
    /// Reads the `llama.*` metadata of a GGUF file.
    /// - Throws: `ModelError.invalidConfig` when a required key is missing or wrongly typed, the architecture
    ///   is not llama or the shape is inconsistent; `ModelError.unsupportedConfig` naming the key of a feature
    ///   MLAN does not implement (RoPE scaling, partial rotary dimensions, sliding windows, experts).
    public init(gguf: GGUFFile) throws {
        do {
            let architecture = try gguf.string("general.architecture")
            guard architecture == "llama" else {
                throw ModelError.invalidConfig(path: gguf.path, reason: "architecture '\(architecture)' is not llama")
            }
            self.init()
            hiddenSize = try gguf.int("llama.embedding_length")
            intermediateSize = try gguf.int("llama.feed_forward_length")
            numHiddenLayers = try gguf.int("llama.block_count")
            numAttentionHeads = try gguf.int("llama.attention.head_count")
            numKeyValueHeads = (try? gguf.int("llama.attention.head_count_kv")) ?? numAttentionHeads
            rmsNormEps = Float(try gguf.double("llama.attention.layer_norm_rms_epsilon"))
            ropeTheta = Float((try? gguf.double("llama.rope.freq_base")) ?? 10_000)
            maxPositionEmbeddings = (try? gguf.int("llama.context_length")) ?? maxPositionEmbeddings
            if let size = try? gguf.int("llama.vocab_size") {
                vocabSize = size
            } else {
                vocabSize = try gguf.stringArray("tokenizer.ggml.tokens").count
            }
            tieWordEmbeddings = !gguf.containsTensor("output.weight")
            bosTokenID = try? gguf.int("tokenizer.ggml.bos_token_id")
            eosTokenID = try? gguf.int("tokenizer.ggml.eos_token_id")
            padTokenID = try? gguf.int("tokenizer.ggml.padding_token_id")
            guard numAttentionHeads > 0 else {
                throw ModelError.invalidConfig(path: gguf.path, reason: "llama.attention.head_count is \(numAttentionHeads)")
            }
            if let keyLength = try? gguf.int("llama.attention.key_length"), keyLength != hiddenSize / numAttentionHeads {
                headDim = keyLength
            }
            try rejectUnimplemented(gguf)
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.invalidConfig(path: gguf.path, reason: InputFile.reason(for: error))
        }
        if let problem = inconsistency { throw ModelError.invalidConfig(path: gguf.path, reason: problem) }
    }

    /// Throws for every `llama.*` key whose value changes the computation in a way the decoder does not
    /// implement. Reads only after the shape, so `headSize` is known.
    private func rejectUnimplemented(_ gguf: GGUFFile) throws {
        func reject(_ key: String, _ value: String) -> ModelError {
            .unsupportedConfig(path: gguf.path, field: key, value: value)
        }
        if gguf.contains("llama.rope.scaling.type") {
            let type = try gguf.string("llama.rope.scaling.type")
            if type != "none" { throw reject("llama.rope.scaling.type", "\"\(type)\"") }
        }
        if gguf.contains("llama.rope.scaling.factor") {
            let factor = try gguf.double("llama.rope.scaling.factor")
            if factor != 1 && factor != 0 { throw reject("llama.rope.scaling.factor", "\(factor)") }
        }
        if gguf.contains("llama.rope.dimension_count") {
            let dimensions = try gguf.int("llama.rope.dimension_count")
            if dimensions != headSize { throw reject("llama.rope.dimension_count", "\(dimensions) (head size \(headSize))") }
        }
        if gguf.contains("llama.attention.value_length") {
            let length = try gguf.int("llama.attention.value_length")
            if length != headSize { throw reject("llama.attention.value_length", "\(length) (key length \(headSize))") }
        }
        if gguf.contains("llama.attention.sliding_window") {
            throw reject("llama.attention.sliding_window", "\(try gguf.int("llama.attention.sliding_window"))")
        }
        if gguf.contains("llama.expert_count") {
            let experts = try gguf.int("llama.expert_count")
            if experts > 0 { throw reject("llama.expert_count", "\(experts)") }
        }
    }
}
