/// A low-rank adapter around a frozen `Linear`: `y = base(x) + (alpha / r) · B(A(dropout(x)))`.
///
/// Parameter names follow PEFT (`base_layer.weight`, `lora_A.weight`, `lora_B.weight`). `B` starts at zero,
/// so a fresh adapter leaves the base layer's output unchanged.
///
/// The base may be Float32 or a frozen stored-form weight (`Linear(frozen:bias:)`: QLoRA-style tuning over 16-bit
/// or quantized weights): the adapters train in Float32 and the gradient reaches the input through the
/// dequantizing kernels (`FrozenMatrix.multiply`).
public final class LoRALinear: LinearLayer {
    public let base: Linear
    /// `[r, in]`, Kaiming-uniform.
    public let a: Tensor
    /// `[out, r]`, zeros.
    public let b: Tensor
    public let rank: Int, alpha: Float
    public let dropout: Dropout
    /// True while `B·A` is folded into the base weight.
    public private(set) var isMerged = false

    public var scale: Float { alpha / Float(rank) }

    public init(wrapping base: Linear, rank: Int, alpha: Float, dropout: Float = 0, seed: UInt64 = 0,
                rng: inout some RandomNumberGenerator) {
        precondition(rank > 0, "LoRA rank must be positive")
        self.base = base
        self.rank = rank
        self.alpha = alpha
        let (out, inFeatures) = (base.outFeatures, base.inFeatures)
        a = Initializer.kaimingUniform([rank, inFeatures], rng: &rng).requiringGradient()
        b = Tensor.zeros([out, rank]).requiringGradient()
        self.dropout = Dropout(dropout, seed: seed)
        if base.frozenWeight == nil { base.weight.setRequiresGrad(false) }
        base.bias?.setRequiresGrad(false)
    }

    /// The frozen base layer.
    public var linear: Linear { base }

    public func visit(_ v: inout ParameterVisitor) {
        v.module("base_layer", base)
        v.parameter("lora_A.weight", a)
        v.parameter("lora_B.weight", b)
        v.module("lora_dropout", dropout)
    }

    /// `[..., in] -> [..., out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = base(x)
        if isMerged { return y }
        return y + dropout(x).matmul(a, transposeOther: true).matmul(b, transposeOther: true) * scale
    }

    /// Folds `scale · B·A` into the base weight (for inference or export).
    public func merge() {
        guard !isMerged else { return }
        addDelta(sign: 1)
        isMerged = true
    }

    /// Takes `scale · B·A` back out of the base weight.
    public func unmerge() {
        guard isMerged else { return }
        addDelta(sign: -1)
        isMerged = false
    }

    private func addDelta(sign: Float) {
        precondition(base.frozenWeight == nil, "LoRALinear cannot merge into a frozen stored-form weight")
        let delta = withoutGradients { b.matmul(a) * (scale * sign) }
        let updated = withoutGradients { base.weight.detached() + delta }
        base.weight.assignInPlace(updated.scalars)
    }
}
