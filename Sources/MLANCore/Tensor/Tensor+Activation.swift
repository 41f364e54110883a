import Foundation

extension Tensor {
    /// Elementwise e^x.
    public func exp() -> Tensor {
        let out = Broadcast.map(self, Elementwise.Exp(), grain: Activation.grain)
        return out.recorded("exp", inputs: [self]) { g in [Broadcast.zip(g, out, Elementwise.Multiply())] }
    }

    /// Elementwise natural logarithm.
    public func log() -> Tensor {
        Broadcast.map(self, Elementwise.Log(), grain: Activation.grain).recorded("log", inputs: [self]) { g in
            [Broadcast.zip(g, self, Elementwise.Divide())]
        }
    }

    /// Elementwise square root.
    public func sqrt() -> Tensor {
        let out = Broadcast.map(self, Elementwise.Sqrt())
        return out.recorded("sqrt", inputs: [self]) { g in [Broadcast.zip(g, out, Elementwise.SqrtGradient())] }
    }

    /// Elementwise 1 / sqrt(x).
    public func rsqrt() -> Tensor {
        let out = Broadcast.map(self, Elementwise.Rsqrt())
        return out.recorded("rsqrt", inputs: [self]) { g in [Broadcast.zip(g, out, Elementwise.RsqrtGradient())] }
    }

    /// Elementwise x^exponent.
    public func pow(_ exponent: Float) -> Tensor {
        Broadcast.map(self, Elementwise.Power(e: exponent), grain: Activation.grain).recorded("pow", inputs: [self]) { g in
            [Broadcast.zip(g, self, Elementwise.PowerGradient(e: exponent), grain: Activation.grain)]
        }
    }

    /// Elementwise hyperbolic tangent.
    public func tanh() -> Tensor {
        let out = Broadcast.map(self, Elementwise.Tanh(), grain: Activation.grain)
        return out.recorded("tanh", inputs: [self]) { g in [Broadcast.zip(g, out, Elementwise.TanhGradient())] }
    }

    /// Elementwise logistic sigmoid 1 / (1 + e^-x).
    public func sigmoid() -> Tensor {
        let out = Broadcast.map(self, Elementwise.Sigmoid(), grain: Activation.grain)
        return out.recorded("sigmoid", inputs: [self]) { g in [Broadcast.zip(g, out, Elementwise.SigmoidGradient())] }
    }

    /// Elementwise max(x, 0).
    public func relu() -> Tensor {
        Broadcast.map(self, Elementwise.ReLU()).recorded("relu", inputs: [self]) { g in [Broadcast.zip(g, self, Elementwise.ReLUGradient())] }
    }

    /// Elementwise x * sigmoid(x) (SiLU / swish), Llama's MLP activation.
    public func silu() -> Tensor {
        Broadcast.map(self, Elementwise.SiLU(), grain: Activation.grain).recorded("silu", inputs: [self]) { g in
            [Broadcast.zip(g, self, Elementwise.SiLUGradient(), grain: Activation.grain)]
        }
    }

    /// The two forms of GELU.
    public enum GELUApproximation: String, Sendable { case none, tanh }

    /// Elementwise GELU: exact (erf), or the tanh approximation (`gelu_pytorch_tanh`).
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none:
            return Broadcast.map(self, Elementwise.GELU(), grain: Activation.grain).recorded("gelu", inputs: [self]) { g in
                [Broadcast.zip(g, self, Elementwise.GELUGradient(), grain: Activation.grain)]
            }
        case .tanh:
            return Broadcast.map(self, Elementwise.GELUTanh(), grain: Activation.grain).recorded("gelu_tanh", inputs: [self]) { g in
                [Broadcast.zip(g, self, Elementwise.GELUTanhGradient(), grain: Activation.grain)]
            }
        }
    }

    /// Elementwise x * sigmoid(1.702 x), CLIP's `quick_gelu`.
    public func quickGELU() -> Tensor {
        Broadcast.map(self, Elementwise.QuickGELU(), grain: Activation.grain).recorded("quick_gelu", inputs: [self]) { g in
            [Broadcast.zip(g, self, Elementwise.QuickGELUGradient(), grain: Activation.grain)]
        }
    }
}

/// Scalar activation functions and their derivatives.
enum Activation {
    /// Elements per thread for the transcendental functions, which cost far more than a memory pass.
    static let grain = 1 << 14

    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + FastMath.exp(-x)) }

    @inline(__always) static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + FastMath.exp(-x)) }

    @inline(__always) static func gelu(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.erf(x * 0.707_106_781_186_547_6))
    }

    @inline(__always) static func geluDerivative(_ x: Float) -> Float {
        0.5 * (1 + Foundation.erf(x * 0.707_106_781_186_547_6)) + x * 0.398_942_280_401_432_7 * FastMath.exp(-0.5 * x * x)
    }

    static let tanhScale: Float = 0.797_884_560_802_865_4  // sqrt(2 / pi)

    @inline(__always) static func geluTanh(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.tanh(tanhScale * (x + 0.044715 * x * x * x)))
    }

    @inline(__always) static func geluTanhDerivative(_ x: Float) -> Float {
        let t = Foundation.tanh(tanhScale * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * tanhScale * (1 + 3 * 0.044715 * x * x)
    }
}
