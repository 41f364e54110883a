/// A layer `[..., in] -> [..., out]` built on a `Linear`: the layer itself, or an adapter around it
/// (`LoRALinear`). Models hold their projections as this, so adapters can be inserted after loading.
public protocol LinearLayer: Module {
    /// The underlying linear layer (an adapter's frozen base).
    var linear: Linear { get }
    /// `[..., in] -> [..., out]`.
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// A fully connected layer `y = x Wᵀ + b`.
///
/// The weight is a trainable Float32 parameter, or a frozen `FrozenMatrix` kept in its stored type (a quantized
/// or 16-bit checkpoint's block format). A frozen weight is not a parameter: `visit(_:)` reports only the bias.
public final class Linear: LinearLayer {
    private var storage: WeightStorage
    /// `[out]`, if present.
    public let bias: Tensor?

    /// A layer initialised as PyTorch does: weight and bias uniform in ±1/sqrt(in).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout some RandomNumberGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        storage = .float32(Initializer.uniform([outFeatures, inFeatures], bound: bound, rng: &rng).requiringGradient())
        self.bias = bias ? Initializer.uniform([outFeatures], bound: bound, rng: &rng).requiringGradient() : nil
    }

    /// A layer with the given parameters (made leaves that require gradients).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        precondition(bias.map { $0.shape == [weight.shape[0]] } ?? true,
                     "Linear bias \(bias?.shape ?? []) does not fit \(weight.shape)")
        storage = .float32(weight.requiringGradient())
        self.bias = bias?.requiringGradient()
    }

    /// A layer over a frozen stored-form weight; the bias, if any, stays a trainable Float32 parameter.
    public init(frozen weight: FrozenMatrix, bias: Tensor?) {
        precondition(bias.map { $0.shape == [weight.rows] } ?? true,
                     "Linear bias \(bias?.shape ?? []) does not fit \(weight.shape)")
        storage = .frozen(weight)
        self.bias = bias?.requiringGradient()
    }

    /// `[out, in]` in Float32: the parameter itself, or for a frozen stored-form weight a dequantized copy
    /// (not a parameter; writing to it changes nothing).
    public var weight: Tensor { storage.float32 }

    /// The stored-form weight, when the layer has one.
    public var frozenWeight: FrozenMatrix? { storage.frozen }

    /// The input and output sizes.
    public var inFeatures: Int {
        switch storage {
        case .float32(let w): return w.shape[1]
        case .frozen(let m): return m.columns
        }
    }
    public var outFeatures: Int {
        switch storage {
        case .float32(let w): return w.shape[0]
        case .frozen(let m): return m.rows
        }
    }

    /// Replaces the Float32 weight by `frozen` (same shape), which from now on is read in its stored type.
    public func freezeWeight(as frozen: FrozenMatrix) {
        precondition(frozen.shape == [outFeatures, inFeatures],
                     "Linear \([outFeatures, inFeatures]) cannot take a frozen weight of \(frozen.shape)")
        storage = .frozen(frozen)
    }

    /// The layer itself.
    public var linear: Linear { self }

    public func visit(_ v: inout ParameterVisitor) {
        if case .float32(let w) = storage { v.parameter("weight", w) }
        v.parameter("bias", bias)
    }

    /// `[..., in] -> [..., out]` (one GEMM with the weight read transposed in place, or the frozen kernels).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y: Tensor
        switch storage {
        case .float32(let w): y = x.matmul(w, transposeOther: true)
        case .frozen(let m): y = m.multiply(x)
        }
        return bias.map { y + $0 } ?? y
    }
}

/// A lookup table of `count` vectors of size `dimension`, held as a Float32 parameter or a frozen stored-form
/// matrix (then not a parameter).
public final class Embedding: Module {
    private let storage: WeightStorage

    /// A table initialised from N(0, std²).
    public init(_ count: Int, _ dimension: Int, std: Float = 1, rng: inout some RandomNumberGenerator) {
        storage = .float32(Tensor.normal([count, dimension], std: std, using: &rng).requiringGradient())
    }

    /// A table holding `weight` `[count, dimension]` (made a leaf that requires gradients).
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding weight must be [count, dimension], got \(weight.shape)")
        storage = .float32(weight.requiringGradient())
    }

    /// A table read from a frozen stored-form matrix.
    public init(frozen weight: FrozenMatrix) { storage = .frozen(weight) }

    /// `[count, dimension]` in Float32: the parameter, or for a frozen table a dequantized copy.
    public var weight: Tensor { storage.float32 }

    /// The stored-form table, when it has one.
    public var frozenWeight: FrozenMatrix? { storage.frozen }

    public func visit(_ v: inout ParameterVisitor) {
        if case .float32(let w) = storage { v.parameter("weight", w) }
    }

    /// `n` ids -> `[n, dimension]`.
    public func callAsFunction(_ ids: [Int]) -> Tensor {
        switch storage {
        case .float32(let w): return w.indexSelect(ids)
        case .frozen(let m): return m.gather(ids)
        }
    }

    /// Scores of hidden states against every vector (a tied output head): `[..., dimension] -> [..., count]`.
    public func attend(_ hidden: Tensor) -> Tensor {
        switch storage {
        case .float32(let w): return hidden.matmul(w, transposeOther: true)
        case .frozen(let m): return m.multiply(hidden)
        }
    }
}

/// A layer's weight: a Float32 parameter, or a frozen matrix in its stored form.
enum WeightStorage {
    case float32(Tensor), frozen(FrozenMatrix)

    /// The parameter, or a dequantized copy of the frozen matrix (not a parameter).
    var float32: Tensor {
        switch self {
        case .float32(let w): return w
        case .frozen(let m): return m.dequantized()
        }
    }

    /// The frozen matrix, when the weight is one.
    var frozen: FrozenMatrix? {
        if case .frozen(let m) = self { return m }
        return nil
    }
}
