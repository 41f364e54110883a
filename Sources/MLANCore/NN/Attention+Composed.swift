extension AttentionMask {
    /// The mask as a tensor `[B, 1, T, S]`: 1 where query `i` may see key `j`, else 0 (`b` batch rows, `t`
    /// queries, `s` keys).
    func visibility(batch b: Int, queries t: Int, keys s: Int) -> Tensor {
        var visible = [Float](repeating: 0, count: b * t * s)
        for bi in 0..<b {
            for i in 0..<t {
                let last = causal ? s - t + i : s - 1  // the last key query i may see
                for j in 0..<s where j <= last && keyPadding?[bi][j] ?? true { visible[(bi * t + i) * s + j] = 1 }
            }
        }
        return Tensor(shape: [b, 1, t, s], scalars: visible)
    }
}

extension Tensor {
    /// `scaledDotProductAttention` composed from autograd ops, to read and to test the fused kernel against:
    /// `softmax(Q Kᵀ · scale + mask) V`, with each KV head repeated for its group of query heads and a row
    /// with no visible key giving zeros. Same shapes: `[B, H, T, Dh]`, `[B, Hkv, S, Dh]` -> `[B, H, T, Dh]`.
    static func composedScaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor,
                                                  mask: AttentionMask, scale: Float? = nil) -> Tensor {
        let (b, h, t, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let (hkv, s) = (key.shape[1], key.shape[2])
        let group = h / hkv
        let scale = scale ?? 1 / Float(d).squareRoot()
        func repeatHeads(_ x: Tensor) -> Tensor {                                 // [B, Hkv, S, Dh]
            x.reshaped([b, hkv, 1, s, d]).expanded(to: [b, hkv, group, s, d])  // [B, Hkv, G, S, Dh]
                .reshaped([b, h, s, d])                                          // [B, H, S, Dh]
        }
        let visible = mask.visibility(batch: b, queries: t, keys: s)           // [B, 1, T, S]
        let hidden = 1 - visible                                               // [B, 1, T, S]
        let noneVisible = Tensor(shape: [b, 1, t, 1], scalars: (0..<(b * t)).map { row in
            visible.scalars[(row * s)..<((row + 1) * s)].contains(1) ? 0 : 1
        })                                                                     // [B, 1, T, 1]
        let scores = query.matmul(repeatHeads(key), transposeOther: true) * scale  // [B, H, T, S]
        let masked = scores.maskedFill(hidden, with: -1e30)                     // [B, H, T, S]
        let peak = masked.max(axis: 3, keepDims: true).detached()              // [B, H, T, 1]
        let weights = (masked - peak).exp() * visible                          // [B, H, T, S]
        let probabilities = weights / (weights.sum(axes: [3], keepDims: true) + noneVisible)  // [B, H, T, S]
        return probabilities.matmul(repeatHeads(value))                        // [B, H, T, Dh]
    }
}
