import MLANCore

/// Checkpoint key conventions other than our own (Hugging Face) names.
public enum KeyMap {
    /// The Hugging Face name of a llama.cpp GGUF tensor (`blk.3.attn_q.weight` ->
    /// `model.layers.3.self_attn.q_proj.weight`), or nil for tensors a Llama model does not use.
    public static func huggingFaceName(forGGUF name: String) -> String? {
        switch name {
        case "token_embd.weight": return "model.embed_tokens.weight"
        case "output_norm.weight": return "model.norm.weight"
        case "output.weight": return "lm_head.weight"
        default: break
        }
        let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]) else { return nil }
        let suffix: String
        switch parts[2] {
        case "attn_q.weight": suffix = "self_attn.q_proj.weight"
        case "attn_k.weight": suffix = "self_attn.k_proj.weight"
        case "attn_v.weight": suffix = "self_attn.v_proj.weight"
        case "attn_output.weight": suffix = "self_attn.o_proj.weight"
        case "attn_q.bias": suffix = "self_attn.q_proj.bias"
        case "attn_k.bias": suffix = "self_attn.k_proj.bias"
        case "attn_v.bias": suffix = "self_attn.v_proj.bias"
        case "ffn_gate.weight": suffix = "mlp.gate_proj.weight"
        case "ffn_up.weight": suffix = "mlp.up_proj.weight"
        case "ffn_down.weight": suffix = "mlp.down_proj.weight"
        case "attn_norm.weight": suffix = "input_layernorm.weight"
        case "ffn_norm.weight": suffix = "post_attention_layernorm.weight"
        default: return nil
        }
        return "model.layers.\(layer).\(suffix)"
    }

    /// Undoes llama.cpp's Q/K row permutation: within each head the stored rows interleave the two rotary
    /// halves (`[h, Dh/2, 2]`); Hugging Face keeps them as two blocks (`[h, 2, Dh/2]`). `[rows, columns]` in
    /// and out; `name` and `path` only label the error.
    /// - Throws: `CheckpointError.headLayout` when the weight is not a matrix whose rows split into `heads`
    ///   heads of an even size.
    public static func unpermuteRotary(_ weight: Tensor, heads: Int, name: String = "weight",
                                       path: String = "<memory>") throws -> Tensor {
        guard weight.rank == 2, heads > 0, weight.shape[0] % (2 * heads) == 0 else {
            throw CheckpointError.headLayout(path: path, tensor: name, shape: weight.shape, heads: heads)
        }
        let (rows, columns) = (weight.shape[0], weight.shape[1])
        return withoutGradients {
            weight.reshaped([heads, rows / heads / 2, 2, columns]).transposed(1, 2).reshaped([rows, columns])
        }
    }
}
