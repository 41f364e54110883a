import Foundation

/// Options of `scaledDotProductAttention`.
public struct AttentionMask: Sendable {
    /// Query i (of T) sees key j (of S) only when `j <= S - T + i`.
    public var causal: Bool
    /// Per batch row, which of the S keys may be attended to (false: padding); nil means all.
    public var keyPadding: [[Bool]]?

    public init(causal: Bool, keyPadding: [[Bool]]? = nil) {
        self.causal = causal
        self.keyPadding = keyPadding
    }
}

extension Tensor {
    /// Softmax attention `softmax(Q Kᵀ · scale + mask) V` with grouped key/value heads, fused.
    ///
    /// `query` is `[B, H, T, Dh]`, `key` and `value` are `[B, Hkv, S, Dh]` with `H` a multiple of `Hkv`
    /// (each group of `H / Hkv` query heads shares one KV head). Returns `[B, H, T, Dh]`. A query row with
    /// no visible key gets zeros.
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor,
                                                 mask: AttentionMask, scale: Float? = nil) -> Tensor {
        precondition(query.rank == 4 && key.rank == 4 && value.rank == 4 && key.shape == value.shape,
                     "attention shapes: query \(query.shape), key \(key.shape), value \(value.shape)")
        let (b, h, t, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let (hkv, s) = (key.shape[1], key.shape[2])
        precondition(key.shape[0] == b && key.shape[3] == d && hkv > 0 && h % hkv == 0,
                     "attention: query \(query.shape) does not fit key/value \(key.shape)")
        if let padding = mask.keyPadding {
            precondition(padding.count == b && padding.allSatisfy { $0.count == s },
                         "attention: key padding must be [\(b)][\(s)]")
        }
        let group = h / hkv
        let scale = scale ?? 1 / Foundation.sqrt(Float(d))
        let rows = group * t  // the query rows of one KV head's group, contiguous in [B, H, T, Dh]
        // Per KV head: the scores of its group of query heads (one GEMM), their masked softmax (rows in
        // parallel, while the scores are still in cache), then P·V.
        let forward = BaseAddresses.reading([query, key, value]) { inputs in
            BaseAddresses.writingZeros([b * h * t * s, b * h * t * d]) { outputs in
                guard t > 0, s > 0 else { return }
                let (q, k, v, p, o) = (inputs[0], inputs[1], inputs[2], outputs[0], outputs[1])
                for bi in 0..<b {
                    for kv in 0..<hkv {
                        let qOff = (bi * h + kv * group) * t * d, kvOff = (bi * hkv + kv) * s * d
                        let pOff = (bi * h + kv * group) * t * s
                        BLAS.sgemm(transA: false, transB: true, m: rows, n: s, k: d, alpha: scale,
                                   a: q + qOff, b: k + kvOff, c: p + pOff)                   // S = Q Kᵀ · scale
                        Parallel.forEach(count: rows, grain: SoftmaxKernel.rowGrain(s)) { range in
                            for r in range {
                                let ti = r % t
                                let visible = Swift.min(s, Swift.max(0, mask.causal ? s - t + ti + 1 : s))
                                attentionRow(p + pOff + r * s, keys: s, visible: visible, padding: mask.keyPadding?[bi])
                            }
                        }
                        BLAS.sgemm(transA: false, transB: false, m: rows, n: d, k: s,
                                   a: p + pOff, b: v + kvOff, c: o + qOff)                   // O = P V
                    }
                }
            }
        }
        let probabilities = forward[0]  // [B, H, T, S], kept for the backward pass
        let result = Tensor(shape: [b, h, t, d], scalars: forward[1])
        return result.recorded("attention", inputs: [query, key, value]) { g in
            // dp is scratch for one KV head's group at a time, so it stays in cache.
            let grads = BaseAddresses.reading([g, query, key, value]) { inputs in
                probabilities.withUnsafeBufferPointer { probabilities in
                    BaseAddresses.writingZeros([query.count, key.count, value.count, rows * s]) { outputs in
                        guard t > 0, s > 0 else { return }
                        let (go, q, k, v) = (inputs[0], inputs[1], inputs[2], inputs[3])
                        let p = probabilities.baseAddress ?? UnsafePointer(BaseAddresses.empty)
                        let (dq, dk, dv, dp) = (outputs[0], outputs[1], outputs[2], outputs[3])
                        for bi in 0..<b {
                            for kv in 0..<hkv {
                                let qOff = (bi * h + kv * group) * t * d, kvOff = (bi * hkv + kv) * s * d
                                let pOff = (bi * h + kv * group) * t * s
                                // dV = Pᵀ dO and dP = dO Vᵀ over the group's query heads.
                                BLAS.sgemm(transA: true, transB: false, m: s, n: d, k: rows, a: p + pOff,
                                           b: go + qOff, c: dv + kvOff)
                                BLAS.sgemm(transA: false, transB: true, m: rows, n: s, k: d, a: go + qOff,
                                           b: v + kvOff, c: dp)
                                // dS = P ∘ (dP − rowsum(dP ∘ P)), scaled; rows in parallel.
                                Parallel.forEach(count: rows, grain: SoftmaxKernel.rowGrain(s)) { range in
                                    for r in range {
                                        let pr = p + pOff + r * s, dr = dp + r * s
                                        let dot = Float(FastMath.dotProduct(dr, pr, count: s))
                                        for j in 0..<s { dr[j] = pr[j] * (dr[j] - dot) * scale }
                                    }
                                }
                                // dQ = dS K and dK = dSᵀ Q.
                                BLAS.sgemm(transA: false, transB: false, m: rows, n: d, k: s, a: dp, b: k + kvOff,
                                           c: dq + qOff)
                                BLAS.sgemm(transA: true, transB: false, m: s, n: d, k: rows, a: dp, b: q + qOff,
                                           c: dk + kvOff)
                            }
                        }
                    }
                }
            }
            return [Tensor(shape: query.shape, scalars: grads[0]), Tensor(shape: key.shape, scalars: grads[1]),
                    Tensor(shape: value.shape, scalars: grads[2])]
        }
    }

    /// Softmax of one row of attention scores in place, over the first `visible` keys that `padding` allows;
    /// every other key gets probability 0, and a row with no visible key becomes zeros.
    @inline(__always)
    static func attentionRow(_ row: UnsafeMutablePointer<Float>, keys s: Int, visible: Int, padding: [Bool]?) {
        if let padding {
            for j in 0..<visible where !padding[j] { row[j] = -.infinity }
        }
        let peak = FastMath.maximum(row, count: visible)
        guard peak != -.infinity else {
            row.initialize(repeating: 0, count: s)
            return
        }
        let total = FastMath.expAndSum(row, shift: -peak, into: row, count: visible)
        let inverse = Float(1 / total)
        for j in 0..<visible { row[j] *= inverse }
        if visible < s { (row + visible).initialize(repeating: 0, count: s - visible) }
    }
}
