import Testing
@testable import MLANCore

/// The preallocated KV storage against attention over concatenated key/value tensors (the old cache).
@Suite struct AttentionCacheTests {
    /// Appends chunks of T positions (crossing the first capacity) and attends after each: every result must be
    /// the same bits as `scaledDotProductAttention` over the concatenated keys and values.
    @Test(arguments: [[3, 1, 1, 250, 1, 2], [300, 1, 4]])
    func attentionOverTheCacheIsBitIdenticalToConcatenation(_ chunks: [Int]) {
        var rng = SplitMix64(seed: 5)
        let (b, h, hkv, d) = (2, 6, 2, 16)
        var cache = AttentionCache()
        var allKeys: Tensor?, allValues: Tensor?
        for t in chunks {
            let q = Tensor.normal([b, h, t, d], using: &rng)
            let k = Tensor.normal([b, hkv, t, d], using: &rng), v = Tensor.normal([b, hkv, t, d], using: &rng)
            allKeys = allKeys.map { Tensor.concatenate([$0, k], axis: 2) } ?? k
            allValues = allValues.map { Tensor.concatenate([$0, v], axis: 2) } ?? v
            cache.append(keys: k, values: v)
            let s = cache.length
            let padding = [Array(repeating: true, count: s), (0..<s).map { $0 % 5 != 1 }]
            let mask = AttentionMask(causal: true, keyPadding: padding)
            let want = Tensor.scaledDotProductAttention(query: q, key: allKeys!, value: allValues!, mask: mask)
            let got = cache.attention(query: q, mask: mask)
            #expect(got.shape == want.shape)
            #expect(got.scalars.map(\.bitPattern) == want.scalars.map(\.bitPattern), "after \(s) positions")
            #expect(cache.tensors.keys.scalars == allKeys!.scalars && cache.tensors.values.scalars == allValues!.scalars)
        }
        #expect(cache.capacity >= cache.length && cache.capacity % AttentionCache.initialCapacity == 0)
    }

    @Test func copiesAndGatheredCachesAreIndependent() {
        var rng = SplitMix64(seed: 6)
        var cache = AttentionCache()
        cache.append(keys: Tensor.normal([1, 2, 3, 4], using: &rng), values: Tensor.normal([1, 2, 3, 4], using: &rng))
        let before = cache.tensors.keys.scalars
        var branch = cache
        branch.append(keys: Tensor.normal([1, 2, 1, 4], using: &rng), values: Tensor.normal([1, 2, 1, 4], using: &rng))
        #expect(cache.length == 3 && branch.length == 4 && cache.tensors.keys.scalars == before)
        var tiled = cache.gathered(rows: [0, 0, 0])
        #expect(tiled.batch == 3 && tiled.length == 3)
        #expect(tiled.tensors.keys.scalars == before + before + before)
        tiled.append(keys: Tensor.normal([3, 2, 1, 4], using: &rng), values: Tensor.normal([3, 2, 1, 4], using: &rng))
        #expect(tiled.length == 4 && cache.length == 3 && cache.tensors.keys.scalars == before)
    }

    /// Row r of a gathered cache holds row `rows[r]` of the source (rows repeat, in any order), only the filled
    /// positions are copied, and appending past the reserved room grows it: the same bits as attention over the
    /// gathered rows' concatenated keys and values.
    @Test func gatheredRowsAttendLikeTheirSourceRows() {
        var rng = SplitMix64(seed: 7)
        let (h, hkv, d) = (4, 2, 8)
        var cache = AttentionCache()
        let k = Tensor.normal([3, hkv, 5, d], using: &rng), v = Tensor.normal([3, hkv, 5, d], using: &rng)
        cache.append(keys: k, values: v)
        let rows = [2, 0, 2, 1]
        var gathered = cache.gathered(rows: rows, reserving: 2)
        #expect(gathered.batch == 4 && gathered.length == 5 && gathered.capacity == 7)
        func pick(_ t: Tensor) -> Tensor { Tensor.concatenate(rows.map { t.slice(axis: 0, $0..<($0 + 1)) }, axis: 0) }
        var (allKeys, allValues) = (pick(k), pick(v))
        #expect(gathered.tensors.keys.scalars == allKeys.scalars && gathered.tensors.values.scalars == allValues.scalars)
        for t in [2, 3] {  // the second append outgrows the reserved room
            let q = Tensor.normal([4, h, t, d], using: &rng)
            let newK = Tensor.normal([4, hkv, t, d], using: &rng), newV = Tensor.normal([4, hkv, t, d], using: &rng)
            gathered.append(keys: newK, values: newV)
            allKeys = Tensor.concatenate([allKeys, newK], axis: 2)
            allValues = Tensor.concatenate([allValues, newV], axis: 2)
            let s = gathered.length
            let mask = AttentionMask(causal: true, keyPadding: rows.map { row in (0..<s).map { $0 >= 5 || $0 < 3 + row % 2 } })
            let want = Tensor.scaledDotProductAttention(query: q, key: allKeys, value: allValues, mask: mask)
            #expect(gathered.attention(query: q, mask: mask).scalars.map(\.bitPattern) == want.scalars.map(\.bitPattern))
        }
        #expect(cache.length == 5 && cache.batch == 3)
    }
}
