import CKernels

extension Tensor {
    /// `silu(self) · up` (Llama's gated MLP activation, SwiGLU), fused: one pass forward and one backward,
    /// with no SiLU output kept on the tape (the backward recomputes the sigmoid).
    ///
    /// The same bits as `self.silu() * up` forward and backward (`CKernels`' loops run the same operations);
    /// both operands have the same shape.
    public func swiGLU(_ up: Tensor) -> Tensor {
        precondition(shape == up.shape, "swiGLU: gate \(shape) and up \(up.shape) differ")
        let total = count
        let out = withUnsafeBufferPointer { gate in
            up.withUnsafeBufferPointer { up in
                Memory.floats(total) { y in
                    let (gate, up) = (gate.baseAddress!, up.baseAddress!)
                    Parallel.forEach(count: total, grain: Activation.grain) { range in
                        mlan_swiglu_forward(FastMath.vectorWidth, gate + range.lowerBound, up + range.lowerBound,
                                            y + range.lowerBound, range.count)
                    }
                }
            }
        }
        let gate = self
        return Tensor(shape: shape, scalars: out).recorded("swiglu", inputs: [self, up]) { g in
            var dUp = [Float]()
            let dGate = g.withUnsafeBufferPointer { g in
                gate.withUnsafeBufferPointer { gatePointer in
                    up.withUnsafeBufferPointer { upPointer in
                        Memory.floats(total) { dGate in
                            dUp = Memory.floats(total) { dUp in
                                let (g, x, u) = (g.baseAddress!, gatePointer.baseAddress!, upPointer.baseAddress!)
                                Parallel.forEach(count: total, grain: Activation.grain) { range in
                                    let i = range.lowerBound
                                    mlan_swiglu_backward(FastMath.vectorWidth, g + i, x + i, u + i, dGate + i, dUp + i,
                                                         range.count)
                                }
                            }
                        }
                    }
                }
            }
            return [Tensor(shape: gate.shape, scalars: dGate), Tensor(shape: gate.shape, scalars: dUp)]
        }
    }
}
