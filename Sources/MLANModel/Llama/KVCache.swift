import MLANCore

/// Keys and values of past positions for one decoder layer: the slot that layer reads and extends.
public final class LayerKVCache {
    /// Keys and values `[B, Hkv, S, Dh]` of the S cached positions (nil before the first append).
    var keys: Tensor?, values: Tensor?

    /// An empty slot.
    public init() {}

    /// The number of cached positions.
    public var length: Int { keys?.shape[2] ?? 0 }

    /// Appends `[B, Hkv, T, Dh]` keys and values; returns everything cached, `[B, Hkv, S + T, Dh]`.
    func append(keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
        let k = keys.map { Tensor.concatenate([$0, newKeys], axis: 2) } ?? newKeys        // [B, Hkv, S + T, Dh]
        let v = values.map { Tensor.concatenate([$0, newValues], axis: 2) } ?? newValues  // [B, Hkv, S + T, Dh]
        keys = k.detached()
        values = v.detached()
        return (k, v)
    }

    /// A slot holding the same positions whose future appends do not affect this one.
    public func copy() -> LayerKVCache {
        let c = LayerKVCache()
        c.keys = keys
        c.values = values
        return c
    }

    /// A slot holding this one's single batch row `n` times: `[1, …] -> [n, …]`.
    func tiled(_ n: Int) -> LayerKVCache {
        let c = LayerKVCache()
        c.keys = keys.map { Tensor.concatenate(Array(repeating: $0, count: n), axis: 0) }      // [n, Hkv, S, Dh]
        c.values = values.map { Tensor.concatenate(Array(repeating: $0, count: n), axis: 0) }  // [n, Hkv, S, Dh]
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

    /// A cache holding this one's single batch row `n` times (for a batch of continuations of one context).
    func tiled(_ n: Int) -> KVCache { KVCache(slots: layers.map { $0.tiled(n) }) }
}
