/// A fully connected layer `y = x Wᵀ + b`.
public final class Linear: Module {
    /// `[out, in]`.
    public let weight: Tensor
    /// `[out]`, if present.
    public let bias: Tensor?

    /// A layer initialised as PyTorch does: weight and bias uniform in ±1/sqrt(in).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout some RandomNumberGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Initializer.uniform([outFeatures, inFeatures], bound: bound, rng: &rng).requiringGradient()
        self.bias = bias ? Initializer.uniform([outFeatures], bound: bound, rng: &rng).requiringGradient() : nil
    }

    /// A layer with the given parameters (made leaves that require gradients).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        precondition(bias.map { $0.shape == [weight.shape[0]] } ?? true,
                     "Linear bias \(bias?.shape ?? []) does not fit \(weight.shape)")
        self.weight = weight.requiringGradient()
        self.bias = bias?.requiringGradient()
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.parameter("weight", weight)
        v.parameter("bias", bias)
    }

    /// `[..., in] -> [..., out]` (one GEMM with the weight read transposed in place).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.matmul(weight, transposeOther: true)
        return bias.map { y + $0 } ?? y
    }
}

/// A lookup table of `count` vectors of size `dimension`.
public final class Embedding: Module {
    /// `[count, dimension]`.
    public let weight: Tensor

    /// A table initialised from N(0, std²).
    public init(_ count: Int, _ dimension: Int, std: Float = 1, rng: inout some RandomNumberGenerator) {
        weight = Tensor.normal([count, dimension], std: std, using: &rng).requiringGradient()
    }

    public func visit(_ v: inout ParameterVisitor) { v.parameter("weight", weight) }

    /// `n` ids -> `[n, dimension]`.
    public func callAsFunction(_ ids: [Int]) -> Tensor { weight.indexSelect(ids) }
}
