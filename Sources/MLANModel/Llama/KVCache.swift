import MLANCore

/// Keys and values of past positions for one decoder layer: the slot that layer reads and extends.
///
/// The positions live in an `AttentionCache`, preallocated and grown in place, so a new token costs one
/// position's copy rather than a copy of the whole cache.
public final class LayerKVCache {
    var storage = AttentionCache()

    /// An empty slot.
    public init() {}

    /// The number of cached positions.
    public var length: Int { storage.length }

    /// Appends the T new positions' keys and values `[B, Hkv, T, Dh]`, then attends `query` `[B, H, T, Dh]` over
    /// every cached position: `[B, H, T, Dh]`. When gradients are being recorded for any input, the cached keys
    /// and values are concatenated with the new ones as tensors so that gradients reach them.
    func attend(query: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        if GradMode.enabled && (query.requiresGrad || keys.requiresGrad || values.requiresGrad) {
            let (k, v): (Tensor, Tensor)
            if storage.length > 0 {
                let past = storage.tensors
                k = Tensor.concatenate([past.keys, keys], axis: 2)      // [B, Hkv, S + T, Dh]
                v = Tensor.concatenate([past.values, values], axis: 2)  // [B, Hkv, S + T, Dh]
            } else {
                (k, v) = (keys, values)
            }
            storage.append(keys: keys.detached(), values: values.detached())
            return Tensor.scaledDotProductAttention(query: query, key: k, value: v, mask: mask)
        }
        storage.append(keys: keys, values: values)
        return storage.attention(query: query, mask: mask)                 // [B, H, T, Dh]
    }

    /// A slot holding the same positions whose future appends do not affect this one.
    public func copy() -> LayerKVCache {
        let c = LayerKVCache()
        c.storage = storage
        return c
    }

    /// A slot whose batch row r holds this one's row `rows[r]`, with room for `additional` more positions.
    func gathered(rows: [Int], reserving additional: Int) -> LayerKVCache {
        let c = LayerKVCache()
        c.storage = storage.gathered(rows: rows, reserving: additional)
        return c
    }
}

/// Keys and values of past positions, one `LayerKVCache` per decoder layer, so a new token costs one position.
public final class KVCache {
    /// One slot per decoder layer, in order; layer `i` reads and extends `layers[i]` only.
    public let layers: [LayerKVCache]

    /// An empty cache for a model of `layers` decoder layers.
    public init(layers: Int) {
        self.layers = (0..<layers).map { _ in LayerKVCache() }
    }

    /// A cache made of the given slots.
    public init(slots: [LayerKVCache]) { layers = slots }

    /// The number of cached positions.
    public var length: Int { layers.first?.length ?? 0 }

    /// A copy whose future appends do not affect this cache (for scoring several continuations of a context).
    public func copy() -> KVCache { KVCache(slots: layers.map { $0.copy() }) }

    /// A cache whose batch row r holds this one's row `rows[r]` (for a batch of continuations, each on its
    /// context's row), with room for `additional` more positions per layer.
    func gathered(rows: [Int], reserving additional: Int) -> KVCache {
        KVCache(slots: layers.map { $0.gathered(rows: rows, reserving: additional) })
    }
}
