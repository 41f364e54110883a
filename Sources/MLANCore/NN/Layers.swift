/// Root-mean-square normalisation with a learned scale (Llama's RMSNorm).
public final class RMSNorm: Module {
    /// `[D]`, initialised to ones.
    public let weight: Tensor
    public let eps: Float

    public init(_ dimension: Int, eps: Float) {
        weight = Tensor.ones([dimension]).requiringGradient()
        self.eps = eps
    }

    /// A norm with the given scale `[D]` (made a leaf that requires gradients).
    public init(weight: Tensor, eps: Float) {
        precondition(weight.rank == 1, "RMSNorm weight must be [D], got \(weight.shape)")
        self.weight = weight.requiringGradient()
        self.eps = eps
    }

    public func visit(_ v: inout ParameterVisitor) { v.parameter("weight", weight) }

    /// `[..., D] -> [..., D]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.rmsNorm(weight: weight, eps: eps) }
}

/// Layer normalisation with a learned scale and shift.
public final class LayerNorm: Module {
    /// `[D]`, ones and zeros at first.
    public let weight: Tensor, bias: Tensor
    public let eps: Float

    public init(_ dimension: Int, eps: Float) {
        weight = Tensor.ones([dimension]).requiringGradient()
        bias = Tensor.zeros([dimension]).requiringGradient()
        self.eps = eps
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.parameter("weight", weight)
        v.parameter("bias", bias)
    }

    /// `[..., D] -> [..., D]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}

/// Zeroes each element with probability `p` while training and rescales the rest by 1/(1-p); seeded.
public final class Dropout: Module, ModeDependent {
    public let probability: Float
    public var isTraining = true
    /// The generator's state; saved in checkpoints so a resumed run drops the same elements.
    public var rng: SplitMix64

    public init(_ probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "Dropout probability must be in [0, 1), got \(probability)")
        self.probability = probability
        rng = SplitMix64(seed: seed)
    }

    public func visit(_ v: inout ParameterVisitor) {}

    /// Identity in evaluation mode or when p = 0.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return x }
        let keep = 1 - probability
        var mask = [Float](repeating: 0, count: x.count)
        for i in mask.indices where rng.nextUnitDouble() >= Double(probability) { mask[i] = 1 / keep }
        return x * Tensor(shape: x.shape, scalars: mask)
    }
}

/// The activations a feed-forward block can use, by their Hugging Face `hidden_act` names.
public enum ActivationKind: String, Sendable, Codable {
    case silu, gelu, quickGELU = "quick_gelu", geluTanh = "gelu_pytorch_tanh", relu

    /// Applies the activation.
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .silu: x.silu()
        case .gelu: x.gelu()
        case .quickGELU: x.quickGELU()
        case .geluTanh: x.gelu(approximate: .tanh)
        case .relu: x.relu()
        }
    }
}
