import Foundation

/// Numerically stable softmax kernels over one axis seen as `[outer, size, inner]`.
///
/// Rows (`inner == 1`, the usual last-axis case) run in parallel, each with the vector `FastMath.exp`; sums are
/// accumulated in Double in a fixed lane order, so results do not depend on the thread count.
enum SoftmaxKernel {
    /// Softmax rows (or log-softmax rows) of `x` along the middle axis of `[outer, size, inner]`.
    static func forward(_ x: UnsafeBufferPointer<Float>, outer: Int, size: Int, inner: Int,
                        log: Bool, into y: UnsafeMutableBufferPointer<Float>) {
        guard outer > 0, size > 0, inner > 0 else { return }
        let xs = x.baseAddress!, ys = y.baseAddress!
        if inner == 1 {
            Parallel.forEach(count: outer, grain: rowGrain(size)) { rows in
                for o in rows { row(xs + o * size, size: size, log: log, into: ys + o * size) }
            }
            return
        }
        // A strided axis: gather each column, run the row kernel, scatter it back.
        Parallel.forEach(count: outer * inner, grain: rowGrain(size)) { columns in
            var source = [Float](repeating: 0, count: size), target = source
            for column in columns {
                let base = (column / inner) * size * inner + column % inner
                for s in 0..<size { source[s] = xs[base + s * inner] }
                row(source, size: size, log: log, into: &target)
                for s in 0..<size { ys[base + s * inner] = target[s] }
            }
        }
    }

    /// Rows per thread so that a thread gets at least ~16 K elements.
    @inline(__always)
    static func rowGrain(_ size: Int) -> Int { Swift.max(1, (1 << 14) / Swift.max(size, 1)) }

    /// One contiguous row: `y = softmax(x)` or `log_softmax(x)`.
    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, size: Int, log: Bool, into y: UnsafeMutablePointer<Float>) {
        var peak = FastMath.maximum(x, count: size)
        if peak == -.infinity { peak = 0 }  // a fully masked row stays finite in log space
        if log {
            let total = FastMath.expAndSum(x, shift: -peak, into: nil, count: size)
            let logTotal = Float(Foundation.log(total))
            for s in 0..<size { y[s] = (x[s] - peak) - logTotal }
        } else {
            let total = FastMath.expAndSum(x, shift: -peak, into: y, count: size)
            let scale = Float(1 / total)
            for s in 0..<size { y[s] *= scale }
        }
    }

    /// Softmax's backward on contiguous rows: `dx = y · (g − Σ g·y)`.
    static func softmaxBackward(y: UnsafePointer<Float>, g: UnsafePointer<Float>, rows: Int, size: Int,
                                into dx: UnsafeMutablePointer<Float>) {
        Parallel.forEach(count: rows, grain: rowGrain(size)) { range in
            for r in range {
                let yr = y + r * size, gr = g + r * size, out = dx + r * size
                let dot = Float(FastMath.dotProduct(gr, yr, count: size))
                for s in 0..<size { out[s] = yr[s] * (gr[s] - dot) }
            }
        }
    }

    /// Log-softmax's backward on contiguous rows: `dx = g − e^y · Σ g`.
    static func logSoftmaxBackward(y: UnsafePointer<Float>, g: UnsafePointer<Float>, rows: Int, size: Int,
                                   into dx: UnsafeMutablePointer<Float>) {
        Parallel.forEach(count: rows, grain: rowGrain(size)) { range in
            for r in range {
                let yr = y + r * size, gr = g + r * size, out = dx + r * size
                let total = Float(FastMath.sum(gr, count: size))
                var s = 0
                while s + 8 <= size {
                    let e = FastMath.exp(Broadcast.load(yr + s))
                    Broadcast.store(Broadcast.load(gr + s) - e * total, out + s)
                    s += 8
                }
                while s < size { out[s] = gr[s] - FastMath.exp(yr[s]) * total; s += 1 }
            }
        }
    }
}

extension SoftmaxKernel {
    /// `row` on arrays (the gathered strided case).
    @inline(__always)
    static func row(_ x: [Float], size: Int, log: Bool, into y: inout [Float]) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in row(xp.baseAddress!, size: size, log: log, into: yp.baseAddress!) }
        }
    }
}

extension Tensor {
    /// Softmax along `axis` (max subtracted first, sums in Double).
    public func softmax(axis: Int = -1) -> Tensor {
        let ax = self.axis(axis)
        let (outer, size, inner) = split(at: ax)
        let result = Tensor(shape: shape, scalars: SoftmaxKernel.apply(self, outer: outer, size: size, inner: inner, log: false))
        return result.recorded("softmax", inputs: [self]) { g in
            guard inner == 1 else {
                // dx = y * (g - sum(g * y))
                let gy = Broadcast.zip(g, result, Elementwise.Multiply())
                return [Broadcast.zip(result, g - gy.sum(axes: [ax], keepDims: true), Elementwise.Multiply())]
            }
            return [Tensor.rowKernel(result, g) { y, g, dx in
                SoftmaxKernel.softmaxBackward(y: y, g: g, rows: outer, size: size, into: dx)
            }]
        }
    }

    /// Log-softmax along `axis` (log-sum-exp with the max subtracted).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let ax = self.axis(axis)
        let (outer, size, inner) = split(at: ax)
        let result = Tensor(shape: shape, scalars: SoftmaxKernel.apply(self, outer: outer, size: size, inner: inner, log: true))
        return result.recorded("log_softmax", inputs: [self]) { g in
            guard inner == 1 else {
                // dx = g - softmax * sum(g)
                let probabilities = Broadcast.map(result, Elementwise.Exp())
                return [g - Broadcast.zip(probabilities, g.sum(axes: [ax], keepDims: true), Elementwise.Multiply())]
            }
            return [Tensor.rowKernel(result, g) { y, g, dx in
                SoftmaxKernel.logSoftmaxBackward(y: y, g: g, rows: outer, size: size, into: dx)
            }]
        }
    }

    /// A new tensor shaped like `y` filled by `body(y, g, out)`.
    static func rowKernel(_ y: Tensor, _ g: Tensor,
                          _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let n = y.count
        let out = y.withUnsafeBufferPointer { yp in
            g.withUnsafeBufferPointer { gp in
                Memory.floats(n) { body(yp.baseAddress!, gp.baseAddress!, $0) }
            }
        }
        return Tensor(shape: y.shape, scalars: out)
    }
}

extension SoftmaxKernel {
    /// The softmax (or log-softmax) scalars of `x` along the middle axis of `[outer, size, inner]`.
    static func apply(_ x: Tensor, outer: Int, size: Int, inner: Int, log: Bool) -> [Float] {
        let n = x.count
        return x.withUnsafeBufferPointer { xp in
            Memory.floats(n) { y in
                forward(xp, outer: outer, size: size, inner: inner, log: log, into: UnsafeMutableBufferPointer(start: y, count: n))
            }
        }
    }
}
