extension Tensor {
    /// Elementwise sum with broadcasting: `[2, 1, 4] + [3, 4] -> [2, 3, 4]`.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        Broadcast.zip(lhs, rhs, Elementwise.Add()).recorded("add", inputs: [lhs, rhs]) { g in
            [lhs.requiresGrad ? g.sum(to: lhs.shape) : nil, rhs.requiresGrad ? g.sum(to: rhs.shape) : nil]
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        Broadcast.zip(lhs, rhs, Elementwise.Subtract()).recorded("sub", inputs: [lhs, rhs]) { g in
            [lhs.requiresGrad ? g.sum(to: lhs.shape) : nil, rhs.requiresGrad ? (-g).sum(to: rhs.shape) : nil]
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        Broadcast.zip(lhs, rhs, Elementwise.Multiply()).recorded("mul", inputs: [lhs, rhs]) { g in
            [lhs.requiresGrad ? Broadcast.zip(g, rhs, Elementwise.Multiply()).sum(to: lhs.shape) : nil,
             rhs.requiresGrad ? Broadcast.zip(g, lhs, Elementwise.Multiply()).sum(to: rhs.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        Broadcast.zip(lhs, rhs, Elementwise.Divide()).recorded("div", inputs: [lhs, rhs]) { g in
            let gl = Broadcast.zip(g, rhs, Elementwise.Divide())
            return [lhs.requiresGrad ? gl.sum(to: lhs.shape) : nil,
                    rhs.requiresGrad ? (-(gl * lhs / rhs)).sum(to: rhs.shape) : nil]
        }
    }

    /// Negation.
    public static prefix func - (x: Tensor) -> Tensor {
        Broadcast.map(x, Elementwise.Negate()).recorded("neg", inputs: [x]) { g in [-g] }
    }

    /// Adds a scalar.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        Broadcast.map(lhs, Elementwise.AddScalar(s: rhs)).recorded("add_scalar", inputs: [lhs]) { g in [g] }
    }

    /// Subtracts a scalar.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs + (-rhs) }

    /// Multiplies by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        Broadcast.map(lhs, Elementwise.MultiplyScalar(s: rhs)).recorded("mul_scalar", inputs: [lhs]) { g in [g * rhs] }
    }

    /// Divides by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor {
        Broadcast.map(lhs, Elementwise.DivideByScalar(s: rhs)).recorded("div_scalar", inputs: [lhs]) { g in [g / rhs] }
    }

    /// Adds a tensor to a scalar.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }
    /// Multiplies a scalar by a tensor.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }
    /// Subtracts a tensor from a scalar.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { -rhs + lhs }

    /// Divides a scalar by a tensor.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor {
        let out = Broadcast.map(rhs, Elementwise.ScalarDivide(s: lhs))
        return out.recorded("rdiv_scalar", inputs: [rhs]) { g in
            [Broadcast.zip(g, Broadcast.zip(out, rhs, Elementwise.Divide()), Elementwise.NegateProduct())]
        }
    }
}
