/// Past keys and values of one attention layer in preallocated storage that grows in place.
///
/// Keys and values are laid out `[B, Hkv, capacity, Dh]` with the first `length` positions of each head filled,
/// so appending T positions copies only those T (capacity doubles when full: amortised O(1) per position).
/// `attention(query:mask:)` reads the heads where they lie, with the same GEMMs and softmax as
/// `Tensor.scaledDotProductAttention`, so the results are the same bits as attention over concatenated tensors.
/// A copy of the value holds the same positions, and appends to one do not affect the other.
public struct AttentionCache: Sendable {
    /// Batch rows, key/value heads and head size (set by the first append).
    public private(set) var batch = 0, kvHeads = 0, headSize = 0
    /// The number of cached positions.
    public private(set) var length = 0
    /// Positions each head has room for.
    public private(set) var capacity = 0
    private var keys: [Float] = [], values: [Float] = []

    /// Positions reserved at the first append (more if that append is longer).
    public static let initialCapacity = 256

    /// An empty cache.
    public init() {}

    /// Appends keys and values `[B, Hkv, T, Dh]` (the same B, Hkv and Dh as earlier appends).
    public mutating func append(keys newKeys: Tensor, values newValues: Tensor) {
        precondition(newKeys.rank == 4 && newKeys.shape == newValues.shape,
                     "AttentionCache.append: keys \(newKeys.shape), values \(newValues.shape)")
        let (b, hkv, t, d) = (newKeys.shape[0], newKeys.shape[1], newKeys.shape[2], newKeys.shape[3])
        if capacity == 0 {
            (batch, kvHeads, headSize) = (b, hkv, d)
        } else {
            precondition(b == batch && hkv == kvHeads && d == headSize,
                         "AttentionCache.append: \(newKeys.shape) after [\(batch), \(kvHeads), _, \(headSize)]")
        }
        if length + t > capacity {
            var grown = Swift.max(capacity, Self.initialCapacity)
            while grown < length + t { grown *= 2 }
            resize(to: grown)
        }
        let (cap, start) = (capacity, length)
        func copy(_ source: Tensor, into destination: inout [Float]) {
            source.withUnsafeBufferPointer { src in
                destination.withUnsafeMutableBufferPointer { dst in
                    for head in 0..<(b * hkv) {
                        (dst.baseAddress! + (head * cap + start) * d).update(from: src.baseAddress! + head * t * d, count: t * d)
                    }
                }
            }
        }
        copy(newKeys, into: &keys)
        copy(newValues, into: &values)
        length += t
    }

    /// Moves every head to a new capacity.
    private mutating func resize(to newCapacity: Int) {
        let (oldCapacity, filled, d, heads) = (capacity, length, headSize, batch * kvHeads)
        func moved(_ old: [Float]) -> [Float] {
            var new = [Float](repeating: 0, count: heads * newCapacity * d)
            old.withUnsafeBufferPointer { src in
                new.withUnsafeMutableBufferPointer { dst in
                    for head in 0..<heads where filled > 0 {
                        (dst.baseAddress! + head * newCapacity * d)
                            .update(from: src.baseAddress! + head * oldCapacity * d, count: filled * d)
                    }
                }
            }
            return new
        }
        keys = moved(keys)
        values = moved(values)
        capacity = newCapacity
    }

    /// A cache whose batch row r holds this one's row `rows[r]` (rows may repeat: a context's row once per
    /// continuation), with room for `additional` more positions before it grows. Only the filled positions are
    /// copied.
    public func gathered(rows: [Int], reserving additional: Int = 0) -> AttentionCache {
        var c = AttentionCache()
        guard capacity > 0, !rows.isEmpty else { return c }  // nothing cached yet: an empty cache takes any batch
        precondition(rows.allSatisfy { (0..<batch).contains($0) },
                     "AttentionCache.gathered: rows \(rows) of a cache of \(batch) rows")
        let room = Swift.max(1, length + additional)
        (c.batch, c.kvHeads, c.headSize, c.length, c.capacity) = (rows.count, kvHeads, headSize, length, room)
        let (filled, d, hkv, oldCapacity) = (length * headSize, headSize, kvHeads, capacity)  // per head
        func gather(_ source: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: rows.count * hkv * room * d)
            source.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for (r, row) in rows.enumerated() where filled > 0 {
                        for head in 0..<hkv {
                            (dst.baseAddress! + (r * hkv + head) * room * d)
                                .update(from: src.baseAddress! + (row * hkv + head) * oldCapacity * d, count: filled)
                        }
                    }
                }
            }
            return out
        }
        c.keys = gather(keys)
        c.values = gather(values)
        return c
    }

    /// The cached keys and values as tensors `[B, Hkv, S, Dh]` (copies).
    public var tensors: (keys: Tensor, values: Tensor) {
        func packed(_ a: [Float]) -> Tensor {
            var out: [Float] = []
            out.reserveCapacity(batch * kvHeads * length * headSize)
            for head in 0..<(batch * kvHeads) {
                out.append(contentsOf: a[(head * capacity * headSize)..<((head * capacity + length) * headSize)])
            }
            return Tensor(shape: [batch, kvHeads, length, headSize], scalars: out)
        }
        return (packed(keys), packed(values))
    }

    /// `softmax(Q Kᵀ · scale + mask) V` over the cached positions, for `query` `[B, H, T, Dh]` (H a multiple of
    /// the cache's Hkv): `[B, H, T, Dh]`, without gradients. `mask` is as for `Tensor.scaledDotProductAttention`
    /// with S = `length` keys.
    public func attention(query: Tensor, mask: AttentionMask, scale: Float? = nil) -> Tensor {
        precondition(query.rank == 4 && query.shape[0] == batch && query.shape[3] == headSize && kvHeads > 0
                     && query.shape[1] % kvHeads == 0,
                     "AttentionCache.attention: query \(query.shape) for a cache of [\(batch), \(kvHeads), _, \(headSize)]")
        let (b, h, t, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let (hkv, s, cap) = (kvHeads, length, capacity)
        if let padding = mask.keyPadding {
            precondition(padding.count == b && padding.allSatisfy { $0.count == s },
                         "attention: key padding must be [\(b)][\(s)]")
        }
        let group = h / hkv
        let scale = scale ?? 1 / (Float(d)).squareRoot()
        let rows = group * t
        let output = BaseAddresses.reading([query]) { inputs in
            keys.withUnsafeBufferPointer { keys in
                values.withUnsafeBufferPointer { values in
                    BaseAddresses.writingZeros([b * h * t * s, b * h * t * d]) { outputs in
                        guard t > 0, s > 0 else { return }
                        let (q, k, v, p, o) = (inputs[0], keys.baseAddress!, values.baseAddress!, outputs[0], outputs[1])
                        for bi in 0..<b {
                            for kv in 0..<hkv {
                                let qOff = (bi * h + kv * group) * t * d, kvOff = (bi * hkv + kv) * cap * d
                                let pOff = (bi * h + kv * group) * t * s
                                BLAS.sgemm(transA: false, transB: true, m: rows, n: s, k: d, alpha: scale,
                                           a: q + qOff, b: k + kvOff, c: p + pOff)                  // S = Q Kᵀ · scale
                                Parallel.forEach(count: rows, grain: SoftmaxKernel.rowGrain(s)) { range in
                                    for r in range {
                                        let ti = r % t
                                        let visible = Swift.min(s, Swift.max(0, mask.causal ? s - t + ti + 1 : s))
                                        Tensor.attentionRow(p + pOff + r * s, keys: s, visible: visible,
                                                            padding: mask.keyPadding?[bi])
                                    }
                                }
                                BLAS.sgemm(transA: false, transB: false, m: rows, n: d, k: s,
                                           a: p + pOff, b: v + kvOff, c: o + qOff)                  // O = P V
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [b, h, t, d], scalars: output[1])
    }
}
