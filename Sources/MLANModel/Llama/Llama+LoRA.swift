import MLANCore

extension LlamaForCausalLM {
    /// The projections of a decoder layer that LoRA can adapt, by their checkpoint names.
    public enum LoRATarget: String, CaseIterable, Sendable {
        case q = "q_proj", k = "k_proj", v = "v_proj", o = "o_proj", gate = "gate_proj", up = "up_proj", down = "down_proj"
    }

    /// Wraps the `targets` projections of every layer in `LoRALinear` adapters of rank `rank` (A drawn from `rng`
    /// layer by layer in `LoRATarget` order, B zero) and freezes every other parameter, so only the adapters train.
    ///
    /// The base may hold any `WeightForm`: over frozen 16-bit or quantized matrices this is QLoRA-style tuning
    /// (adapters, their gradients and optimizer state in Float32; the base read by the dequantizing kernels).
    /// Adapted projections are named as PEFT names them (`q_proj.base_layer.weight`, `q_proj.lora_A.weight`).
    /// - Returns: the new adapters, layer by layer.
    @discardableResult
    public func addLoRA(rank: Int, alpha: Float, targets: Set<LoRATarget> = [.q, .v], dropout: Float = 0,
                        seed: UInt64 = 0, rng: inout some RandomNumberGenerator) -> [LoRALinear] {
        freeze(prefixes: [""])
        var adapters: [LoRALinear] = []
        func adapt(_ layer: any LinearLayer, _ target: LoRATarget) -> any LinearLayer {
            guard targets.contains(target) else { return layer }
            precondition(!(layer is LoRALinear), "addLoRA: \(target.rawValue) already has an adapter")
            let adapter = LoRALinear(wrapping: layer.linear, rank: rank, alpha: alpha, dropout: dropout,
                                     seed: seed &+ UInt64(adapters.count), rng: &rng)
            adapters.append(adapter)
            return adapter
        }
        for layer in model.layers {
            let (attention, mlp) = (layer.attention, layer.mlp)
            attention.qProj = adapt(attention.qProj, .q)
            attention.kProj = adapt(attention.kProj, .k)
            attention.vProj = adapt(attention.vProj, .v)
            attention.oProj = adapt(attention.oProj, .o)
            mlp.gateProj = adapt(mlp.gateProj, .gate)
            mlp.upProj = adapt(mlp.upProj, .up)
            mlp.downProj = adapt(mlp.downProj, .down)
        }
        return adapters
    }
}
