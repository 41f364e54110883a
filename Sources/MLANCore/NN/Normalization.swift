import CKernels
import Foundation

extension Tensor {
    /// RMS normalisation over the last axis: `x / sqrt(mean(x²) + eps) * weight` (Llama's RMSNorm), fused.
    ///
    /// `[..., D]` with `weight` `[D]` gives `[..., D]`.
    public func rmsNorm(weight: Tensor, eps: Float) -> Tensor {
        let d = shape[rank - 1]
        precondition(weight.shape == [d], "rmsNorm weight \(weight.shape) does not match \(shape)")
        let rows = count / Swift.max(d, 1)
        let total = count
        var inverse = [Float](repeating: 0, count: rows)
        let out = withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                inverse.withUnsafeMutableBufferPointer { inverse in
                    Memory.floats(total) { y in
                        let (x, w) = (x.baseAddress!, w.baseAddress!)
                        Parallel.forEach(count: rows, grain: Normalization.rowGrain(d)) { range in
                            // Per row: Σ x² in double (eight lanes), inv = 1 / sqrt(Σ / d + eps), y = w · (x · inv).
                            let first = range.lowerBound
                            mlan_rms_norm_rows(FastMath.vectorWidth, x + first * d, w, eps, range.count, d, y + first * d,
                                               inverse.baseAddress! + first)
                        }
                    }
                }
            }
        }
        let input = self, inverses = inverse
        return Tensor(shape: shape, scalars: out).recorded("rms_norm", inputs: [self, weight]) { g in
            var dx = Memory.zeros(input.count)
            // dw sums over rows: fixed blocks of rows (independent of the thread count), then the blocks in order.
            let block = Normalization.reductionBlock(rows)
            let blocks = (rows + block - 1) / block
            var partial = [Double](repeating: 0, count: blocks * d)
            g.withUnsafeBufferPointer { gp in
                input.withUnsafeBufferPointer { x in
                    weight.withUnsafeBufferPointer { w in
                        dx.withUnsafeMutableBufferPointer { dx in
                            partial.withUnsafeMutableBufferPointer { partial in
                                Parallel.forEach(count: blocks, grain: Swift.max(1, Normalization.rowGrain(d) / block)) { range in
                                    for blockIndex in range {
                                        // Per row: dot = Σ (g w) x̂ in element order, dx = inv (g w − x̂ dot / d),
                                        // and the block's dw[j] += g x̂, row after row.
                                        let first = blockIndex * block, count = Swift.min(rows, first + block) - first
                                        inverses.withUnsafeBufferPointer { inverses in
                                            mlan_rms_norm_backward_rows(
                                                FastMath.vectorWidth, gp.baseAddress! + first * d, x.baseAddress! + first * d,
                                                w.baseAddress!, inverses.baseAddress! + first, count, d,
                                                dx.baseAddress! + first * d, partial.baseAddress! + blockIndex * d)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var dw = [Float](repeating: 0, count: d)
            for j in 0..<d {
                var sum: Double = 0
                for blockIndex in 0..<blocks { sum += partial[blockIndex * d + j] }
                dw[j] = Float(sum)
            }
            return [Tensor(shape: input.shape, scalars: dx), Tensor(shape: [d], scalars: dw)]
        }
    }

    /// Layer normalisation over the last axis: `(x - mean) / sqrt(var + eps) * weight + bias`, fused.
    ///
    /// `[..., D]` with `weight` and `bias` `[D]` gives `[..., D]` (biased variance, as PyTorch).
    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        let d = shape[rank - 1]
        precondition(weight.shape == [d] && bias.shape == [d],
                     "layerNorm weight \(weight.shape) / bias \(bias.shape) do not match \(shape)")
        let rows = count / Swift.max(d, 1)
        let total = count
        // Per row: the mean and 1 / sqrt(var + eps); the backward pass recomputes x̂ from them.
        var means = [Float](repeating: 0, count: rows), inverse = means
        let out = withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    means.withUnsafeMutableBufferPointer { means in
                        inverse.withUnsafeMutableBufferPointer { inverse in
                            Memory.floats(total) { y in
                                let (x, w, b) = (x.baseAddress!, w.baseAddress!, b.baseAddress!)
                                Parallel.forEach(count: rows, grain: Normalization.rowGrain(d)) { range in
                                    for r in range {
                                        let row = x + r * d
                                        let mean = FastMath.sum(row, count: d) / Double(d)
                                        var sq: Double = 0
                                        for j in 0..<d { let c = Double(row[j]) - mean; sq += c * c }
                                        let inv = Float(1 / (sq / Double(d) + Double(eps)).squareRoot())
                                        let meanF = Float(mean)
                                        means[r] = meanF
                                        inverse[r] = inv
                                        for j in 0..<d { y[r * d + j] = ((row[j] - meanF) * inv) * w[j] + b[j] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let input = self, rowMeans = means, inverses = inverse
        return Tensor(shape: shape, scalars: out).recorded("layer_norm", inputs: [self, weight, bias]) { g in
            var dx = Memory.zeros(rows * d)
            // dw and db sum over rows: fixed blocks of rows, then the blocks in order (any thread count).
            let block = Normalization.reductionBlock(rows)
            let blocks = (rows + block - 1) / block
            var partial = [Double](repeating: 0, count: 2 * blocks * d)  // per block: dw then db
            g.withUnsafeBufferPointer { gp in
                input.withUnsafeBufferPointer { x in
                    weight.withUnsafeBufferPointer { w in
                        dx.withUnsafeMutableBufferPointer { dx in
                            partial.withUnsafeMutableBufferPointer { partial in
                                Parallel.forEach(count: blocks, grain: Swift.max(1, Normalization.rowGrain(d) / block)) { range in
                                    for blockIndex in range {
                                        let dw = partial.baseAddress! + 2 * blockIndex * d, db = dw + d
                                        for r in (blockIndex * block)..<Swift.min(rows, (blockIndex + 1) * block) {
                                            let meanF = rowMeans[r], inv = inverses[r]
                                            var sumGh: Double = 0, sumGhX: Double = 0
                                            for j in 0..<d {
                                                let xhat = (x[r * d + j] - meanF) * inv
                                                let gh = gp[r * d + j] * w[j]
                                                sumGh += Double(gh); sumGhX += Double(gh * xhat)
                                                dw[j] += Double(gp[r * d + j] * xhat); db[j] += Double(gp[r * d + j])
                                            }
                                            let meanGh = Float(sumGh / Double(d)), meanGhX = Float(sumGhX / Double(d))
                                            for j in 0..<d {
                                                let xhat = (x[r * d + j] - meanF) * inv
                                                let gh = gp[r * d + j] * w[j]
                                                dx[r * d + j] = inv * (gh - meanGh - xhat * meanGhX)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var dw = [Float](repeating: 0, count: d), db = dw
            for j in 0..<d {
                var sumW: Double = 0, sumB: Double = 0
                for blockIndex in 0..<blocks {
                    sumW += partial[2 * blockIndex * d + j]
                    sumB += partial[(2 * blockIndex + 1) * d + j]
                }
                dw[j] = Float(sumW)
                db[j] = Float(sumB)
            }
            return [Tensor(shape: input.shape, scalars: dx), Tensor(shape: [d], scalars: dw),
                    Tensor(shape: [d], scalars: db)]
        }
    }
}

/// Work splitting shared by the normalisations.
enum Normalization {
    /// Rows per thread so a thread gets at least ~32 K elements.
    @inline(__always) static func rowGrain(_ d: Int) -> Int { Swift.max(1, (1 << 15) / Swift.max(d, 1)) }

    /// Rows per partial sum of a parameter gradient; depends only on the row count.
    @inline(__always) static func reductionBlock(_ rows: Int) -> Int { Swift.max(32, (rows + 63) / 64) }
}
