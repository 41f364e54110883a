import CKernels
import Testing
@testable import MLANCore

/// The run-time-dispatched C kernels (`CKernels`) against their scalar formulas, every width this CPU has.
@Suite struct VectorKernelTests {
    /// The widths this CPU can run: the baseline always, AVX2 and AVX-512 where present.
    static var widths: [Int32] { [128, 256, 512].filter { $0 <= mlan_vector_width() } }

    @Test func adamWUpdateIsTheScalarFormulaBitForBit() {
        var rng = SplitMix64(seed: 21)
        let n = 1003  // a ragged tail for every vector width
        let w0 = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let g = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
        let m0 = (0..<n).map { _ in Float.random(in: -0.1...0.1, using: &rng) }
        let v0 = (0..<n).map { _ in Float.random(in: 0...0.01, using: &rng) }
        let (decay, aw, b2, sw, bc2, eps, step): (Float, Float, Float, Float, Float, Float, Float) =
            (0.9999, 0.1, 0.999, 0.001, 0.0447, 1e-8, -0.0031)
        // The formula as torch.optim.AdamW (single tensor) rounds it, one operation at a time.
        var (we, me, ve) = (w0, m0, v0)
        for i in 0..<n {
            we[i] *= decay
            me[i] = me[i] + aw * (g[i] - me[i])
            ve[i] = ve[i] * b2 + sw * g[i] * g[i]
            let denom = ve[i].squareRoot() / bc2 + eps
            we[i] = we[i] + step * me[i] / denom
        }
        #expect(!Self.widths.isEmpty && Self.widths.first == 128)
        for width in Self.widths {
            var (w, m, v) = (w0, m0, v0)
            mlan_adamw_update_width(width, &w, &m, &v, g, n, decay, aw, b2, sw, bc2, eps, step)
            #expect(w.map(\.bitPattern) == we.map(\.bitPattern), "width \(width): weights")
            #expect(m.map(\.bitPattern) == me.map(\.bitPattern), "width \(width): first moment")
            #expect(v.map(\.bitPattern) == ve.map(\.bitPattern), "width \(width): second moment")
        }
    }

    /// Inputs across exp's whole range: ordinary values, overflow, underflow, subnormal results, ±inf and NaN.
    static func expInputs(count: Int) -> [Float] {
        var rng = SplitMix64(seed: 33)
        var x = (0..<count).map { _ in Float.random(in: -110...95, using: &rng) }
        for (i, special) in [Float.nan, .infinity, -.infinity, 88.7, -87.5, -103.9, 0, -0.0].enumerated() { x[i * 7] = special }
        return x
    }

    /// The same bits, or both NaN (a NaN's sign depends on operand order, which compilers may swap).
    static func same(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    @Test func expAndSumIsFastMathExpBitForBit() {
        let x = Self.expInputs(count: 1003).map { $0.isFinite ? $0 : 0 }, shift: Float = -0.75  // a finite sum
        // The Swift loop this kernel replaced: eight SIMD lanes summed in Double, then the lanes, then the tail.
        var expected = [Float](repeating: 0, count: x.count)
        var lanes = [Double](repeating: 0, count: 8), i = 0
        while i + 8 <= x.count {
            let e = FastMath.exp(SIMD8<Float>((0..<8).map { x[i + $0] }) + shift)
            for l in 0..<8 { expected[i + l] = e[l]; lanes[l] += Double(e[l]) }
            i += 8
        }
        var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        while i < x.count { expected[i] = FastMath.exp(x[i] + shift); total += Double(expected[i]); i += 1 }
        for width in Self.widths {
            var y = [Float](repeating: .nan, count: x.count)
            let sum = mlan_exp_and_sum(width, x, shift, &y, x.count)
            #expect(Self.same(y, expected), "width \(width)")
            #expect(sum.bitPattern == total.bitPattern, "width \(width): sum")
            #expect(mlan_exp_and_sum(width, x, shift, nil, x.count).bitPattern == total.bitPattern, "width \(width)")
        }
    }

    @Test func scaledSoftmaxRowIsFastMathExpBitForBit() {
        let x = Self.expInputs(count: 517)
        let (peak, logTotal, scale): (Float, Float, Float) = (3.25, 1.5, 0.125)
        let expected = x.map { FastMath.exp(($0 - peak) - logTotal) * scale }
        for width in Self.widths {
            var out = [Float](repeating: 0, count: x.count)
            mlan_softmax_scaled(width, x, peak, logTotal, scale, &out, x.count)
            #expect(Self.same(out, expected), "width \(width)")
        }
    }

    /// The fused SwiGLU kernels against `silu(gate) * up` composed of the separate ops, forward and backward.
    @Test func swiGLUIsSiLUTimesUpBitForBit() {
        var rng = SplitMix64(seed: 34)
        let n = 1003
        let gateValues = Self.expInputs(count: n).map { $0 / 4 }
        let up = Tensor.normal([n], using: &rng).requiringGradient(), seed = Tensor.normal([n], using: &rng)
        let gate = Tensor(shape: [n], scalars: gateValues).requiringGradient()
        let composed = gate.silu() * up
        composed.backward(seed: seed)
        let (composedGate, composedUp) = (gate.grad!.scalars, up.grad!.scalars)
        gate.zeroGrad(); up.zeroGrad()
        let fused = gate.swiGLU(up)
        fused.backward(seed: seed)
        #expect(Self.same(fused.scalars, composed.scalars))
        #expect(Self.same(gate.grad!.scalars, composedGate))
        #expect(Self.same(up.grad!.scalars, composedUp))
        for width in Self.widths {
            var (y, dGate, dUp) = ([Float](repeating: 0, count: n), [Float](repeating: 0, count: n), [Float](repeating: 0, count: n))
            mlan_swiglu_forward(width, gateValues, up.scalars, &y, n)
            mlan_swiglu_backward(width, seed.scalars, gateValues, up.scalars, &dGate, &dUp, n)
            #expect(Self.same(y, composed.scalars), "width \(width)")
            #expect(Self.same(dGate, composedGate), "width \(width)")
            #expect(Self.same(dUp, composedUp), "width \(width)")
        }
    }

    /// The RMSNorm rows against the Swift loops they replaced, forward and backward, rows with ragged tails.
    @Test func rmsNormRowsAreTheSwiftLoopsBitForBit() {
        var rng = SplitMix64(seed: 35)
        let (rows, d, eps): (Int, Int, Float) = (5, 203, 1e-5)
        let x = (0..<rows * d).map { _ in Float.random(in: -3...3, using: &rng) }
        let w = (0..<d).map { _ in Float.random(in: 0.5...1.5, using: &rng) }
        let g = (0..<rows * d).map { _ in Float.random(in: -1...1, using: &rng) }
        var (y, inverse, dx) = ([Float](repeating: 0, count: rows * d), [Float](repeating: 0, count: rows), [Float](repeating: 0, count: rows * d))
        var dw = [Double](repeating: 0, count: d)
        x.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                let inv = 1 / (Float(FastMath.sumOfSquares(x.baseAddress! + r * d, count: d) / Double(d)) + eps).squareRoot()
                inverse[r] = inv
                for j in 0..<d { y[r * d + j] = w[j] * (x[r * d + j] * inv) }
                var dot: Double = 0
                for j in 0..<d {
                    let xhat = x[r * d + j] * inv
                    dot += Double(g[r * d + j] * w[j] * xhat)
                    dw[j] += Double(g[r * d + j] * xhat)
                }
                let meanDot = Float(dot / Double(d))
                for j in 0..<d { dx[r * d + j] = inv * (g[r * d + j] * w[j] - (x[r * d + j] * inv) * meanDot) }
            }
        }
        for width in Self.widths {
            var (cy, cInverse, cdx) = ([Float](repeating: 0, count: rows * d), [Float](repeating: 0, count: rows), [Float](repeating: 0, count: rows * d))
            var cdw = [Double](repeating: 0, count: d)
            mlan_rms_norm_rows(width, x, w, eps, rows, d, &cy, &cInverse)
            mlan_rms_norm_backward_rows(width, g, x, w, cInverse, rows, d, &cdx, &cdw)
            #expect(Self.same(cy, y) && Self.same(cInverse, inverse), "width \(width): forward")
            #expect(Self.same(cdx, dx), "width \(width): input gradient")
            #expect(cdw.map(\.bitPattern) == dw.map(\.bitPattern), "width \(width): weight gradient")
        }
    }
}
