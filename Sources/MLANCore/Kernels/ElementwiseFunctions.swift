import Foundation

/// A scalar function applied elementwise, as a type: the generic kernels in `Broadcast` specialize on it, so
/// the loop body is inlined and vectorized instead of calling a closure per element.
protocol UnaryFunction {
    func callAsFunction(_ x: Float) -> Float
    /// The same function on eight lanes; each lane must equal the scalar form bit for bit.
    func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float>
}

extension UnaryFunction {
    @inline(__always)
    func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var y = x
        for i in 0..<8 { y[i] = self(x[i]) }
        return y
    }
}

/// A function of two scalars applied elementwise (see `UnaryFunction`).
protocol BinaryFunction {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
    /// The same function on eight lanes; each lane must equal the scalar form bit for bit.
    func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
}

extension BinaryFunction {
    @inline(__always)
    func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        var y = a
        for i in 0..<8 { y[i] = self(a[i], b[i]) }
        return y
    }
}

/// The elementwise functions of the tensor ops and their derivatives. Each writes its formula once, in the
/// order of operations the op has always used, so only `FastMath.exp` moves results (by at most 2 ulp).
enum Elementwise {
    struct Add: BinaryFunction {
        @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
        @inline(__always) func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    }
    struct Subtract: BinaryFunction {
        @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
        @inline(__always) func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a - b }
    }
    struct Multiply: BinaryFunction {
        @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
        @inline(__always) func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a * b }
    }
    struct Divide: BinaryFunction {
        @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
        @inline(__always) func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a / b }
    }
    /// The left operand (broadcast copies).
    struct First: BinaryFunction {
        @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a }
        @inline(__always) func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a }
    }

    struct Negate: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { -x }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { -x }
    }
    struct AddScalar: UnaryFunction {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x + s }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x + s }
    }
    struct MultiplyScalar: UnaryFunction {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x * s }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x * s }
    }
    struct DivideByScalar: UnaryFunction {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x / s }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x / s }
    }
    /// `s / x`.
    struct ScalarDivide: UnaryFunction {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { s / x }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { SIMD8(repeating: s) / x }
    }
    /// d(s / x) = g · (-(s / x) / x), written as the op's backward always did: `-g * (out / x)`.
    struct NegateProduct: BinaryFunction {
        @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { -a * b }
        @inline(__always) func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { -a * b }
    }

    struct Exp: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { FastMath.exp(x) }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { FastMath.exp(x) }
    }
    struct Log: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
    }
    struct Sqrt: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x.squareRoot() }
    }
    /// d sqrt = g · 0.5 / y.
    struct SqrtGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * 0.5 / y }
        @inline(__always) func callAsFunction(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { g * 0.5 / y }
    }
    struct Rsqrt: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { 1 / x.squareRoot() }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / x.squareRoot() }
    }
    /// d rsqrt = g · -0.5 · y³.
    struct RsqrtGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * -0.5 * y * y * y }
        @inline(__always) func callAsFunction(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
            g * -0.5 * y * y * y
        }
    }
    struct Power: UnaryFunction {
        let e: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, e) }
    }
    struct PowerGradient: BinaryFunction {
        let e: Float
        @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { g * e * Foundation.pow(x, e - 1) }
    }
    struct Tanh: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) }
    }
    /// d tanh = g · (1 − y²).
    struct TanhGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * (1 - y * y) }
        @inline(__always) func callAsFunction(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { g * (1 - y * y) }
    }
    struct Sigmoid: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Activation.sigmoid(x) }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.sigmoid(x) }
    }
    /// d sigmoid = g · y · (1 − y).
    struct SigmoidGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * y * (1 - y) }
        @inline(__always) func callAsFunction(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { g * y * (1 - y) }
    }
    struct ReLU: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) }
    }
    struct ReLUGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { x > 0 ? g : 0 }
        @inline(__always) func callAsFunction(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
            SIMD8(repeating: 0).replacing(with: g, where: x .> 0)
        }
    }
    /// x · sigmoid(x).
    struct SiLU: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x * Activation.sigmoid(x) }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x * Activation.sigmoid(x) }
    }
    /// d silu = g · s · (1 + x · (1 − s)), s = sigmoid(x).
    struct SiLUGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float {
            let s = Activation.sigmoid(x)
            return g * s * (1 + x * (1 - s))
        }
        @inline(__always) func callAsFunction(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
            let s = Activation.sigmoid(x)
            return g * s * (1 + x * (1 - s))
        }
    }
    /// x · sigmoid(1.702 x).
    struct QuickGELU: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x * Activation.sigmoid(1.702 * x) }
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x * Activation.sigmoid(1.702 * x) }
    }
    struct QuickGELUGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float {
            let s = Activation.sigmoid(1.702 * x)
            return g * (s + 1.702 * x * s * (1 - s))
        }
        @inline(__always) func callAsFunction(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
            let s = Activation.sigmoid(1.702 * x)
            return g * (s + 1.702 * x * s * (1 - s))
        }
    }
    struct GELU: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Activation.gelu(x) }
    }
    struct GELUGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { g * Activation.geluDerivative(x) }
    }
    struct GELUTanh: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Activation.geluTanh(x) }
    }
    struct GELUTanhGradient: BinaryFunction {
        @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { g * Activation.geluTanhDerivative(x) }
    }
}
