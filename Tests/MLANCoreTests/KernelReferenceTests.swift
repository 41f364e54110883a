import Foundation
import Testing
@testable import MLANCore

/// BLAS-backed kernels against naive loops.
@Suite struct KernelReferenceTests {
    static func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += Double(a[i * k + p]) * Double(b[p * n + j]) } } }
        return c
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 65, 66)])
    func matmulMatchesNaiveLoops(size: (Int, Int, Int)) {
        let (m, n, k) = size
        var rng = SplitMix64(seed: UInt64(m * 100 + n))
        let a = Tensor.uniform([m, k], low: -1, high: 1, using: &rng), b = Tensor.uniform([k, n], low: -1, high: 1, using: &rng)
        let reference = Self.naiveMatmul(a.scalars, b.scalars, m: m, n: n, k: k)
        let error = zip(a.matmul(b).scalars, reference).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(error < 1e-4)
        // Transpose flags read the same operands stored transposed.
        let viaFlags = a.transposed().matmul(b.transposed(), transposeSelf: true, transposeOther: true)
        let flagError = zip(viaFlags.scalars, reference).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(flagError < 1e-4)
    }

    /// GEMM and GEMV tiles give the same bits whether one worker or several run them, for every transpose and
    /// for splits along rows (m > n) and columns, with ragged last tiles; and the tiled product is right.
    @Test(arguments: [(600, 203, 300), (200, 641, 300), (1, 4097, 600), (1, 600, 4096)])
    func tiledProductsAreTheSameBitsForEveryThreadCount(size: (Int, Int, Int)) {
        let (m, n, k) = size
        var rng = SplitMix64(seed: UInt64(m * 7 + n))
        let a = Tensor.uniform([m, k], low: -1, high: 1, using: &rng), b = Tensor.uniform([k, n], low: -1, high: 1, using: &rng)
        let at = a.transposed(), bt = b.transposed()  // [k, m], [n, k]
        func products() -> [[Float]] {
            [a.matmul(b).scalars, at.matmul(b, transposeSelf: true).scalars, a.matmul(bt, transposeOther: true).scalars,
             at.matmul(bt, transposeSelf: true, transposeOther: true).scalars]
        }
        let one = Parallel.withThreads(1) { products() }
        // These shapes are large enough for the most tiles (GEMV counts 8× its FLOPs).
        let flops = 2 * m * n * k * (m == 1 ? 8 : 1)
        #expect(BLAS.tileCount(split: Swift.max(m, n), flops: flops) == BLAS.maximumTiles)
        for threads in [2, 3, 7] {
            let tiled = Parallel.withThreads(threads) { products() }
            #expect(tiled.map { $0.map(\.bitPattern) } == one.map { $0.map(\.bitPattern) }, "\(threads) workers")
        }
        let reference = Self.naiveMatmul(a.scalars, b.scalars, m: m, n: n, k: k)
        let error = zip(Parallel.withThreads(3) { a.matmul(b) }.scalars, reference).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(error < 1e-4)
    }

    /// A product whose k dwarfs m and n runs as blocks of k summed in tile order (the tied head's input
    /// gradient at train L: k = 49152): the same bits for every thread count, every transpose, and right.
    @Test func depthTiledProductsAreTheSameBitsForEveryThreadCount() {
        let (m, n, k) = (40, 37, 20_011)
        #expect(BLAS.Split.cheapest(m: m, n: n, k: k, summable: true) == .depth)
        #expect(BLAS.Split.cheapest(m: m, n: n, k: k, summable: false) != .depth)
        #expect(BLAS.Split.cheapest(m: 1024, n: 576, k: 49_152, summable: true) == .depth)
        #expect(BLAS.Split.cheapest(m: 1024, n: 1536, k: 576, summable: true) == .columns)
        #expect(BLAS.tileCount(split: k, flops: 2 * m * n * k) == BLAS.maximumTiles)
        var rng = SplitMix64(seed: 41)
        let a = Tensor.uniform([m, k], low: -1, high: 1, using: &rng), b = Tensor.uniform([k, n], low: -1, high: 1, using: &rng)
        let at = a.transposed(), bt = b.transposed()
        func products() -> [[Float]] {
            [a.matmul(b).scalars, at.matmul(b, transposeSelf: true).scalars, a.matmul(bt, transposeOther: true).scalars,
             at.matmul(bt, transposeSelf: true, transposeOther: true).scalars]
        }
        let one = Parallel.withThreads(1) { products() }
        for threads in [2, 3, 7] {
            let tiled = Parallel.withThreads(threads) { products() }
            #expect(tiled.map { $0.map(\.bitPattern) } == one.map { $0.map(\.bitPattern) }, "\(threads) workers")
        }
        let reference = Self.naiveMatmul(a.scalars, b.scalars, m: m, n: n, k: k)
        for product in one {
            let error = zip(product, reference).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(error < 1e-2)
        }
    }

    @Test func batchedMatmulBroadcastsLeadingAxes() {
        var rng = SplitMix64(seed: 5)
        let a = Tensor.uniform([2, 1, 3, 4], using: &rng), b = Tensor.uniform([3, 4, 2], using: &rng)
        let c = a.matmul(b)
        #expect(c.shape == [2, 3, 3, 2])
        for i in 0..<2 {
            for j in 0..<3 {
                let ai = a.slice(axis: 0, i..<(i + 1)).reshaped([3, 4]), bj = b.slice(axis: 0, j..<(j + 1)).reshaped([4, 2])
                let expected = ai.matmul(bj).scalars
                let got = c.slice(axis: 0, i..<(i + 1)).slice(axis: 1, j..<(j + 1)).scalars
                #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-5 })
            }
        }
    }

    @Test func attentionMatchesNaiveSoftmaxAttention() {
        var rng = SplitMix64(seed: 9)
        let (b, h, hkv, t, s, d) = (2, 4, 2, 3, 5, 8)
        let q = Tensor.normal([b, h, t, d], using: &rng), k = Tensor.normal([b, hkv, s, d], using: &rng)
        let v = Tensor.normal([b, hkv, s, d], using: &rng)
        let padding = [[true, true, false, true, true], [true, true, true, true, true]]
        let out = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: .init(causal: true, keyPadding: padding))
        let scale = 1 / Double(d).squareRoot()
        for bi in 0..<b { for hi in 0..<h { for ti in 0..<t {
            let kv = hi / (h / hkv)
            var weights = [Double](repeating: 0, count: s)
            for j in 0..<s where j <= s - t + ti && padding[bi][j] {
                var dot = 0.0
                for x in 0..<d { dot += Double(q.scalars[((bi * h + hi) * t + ti) * d + x]) * Double(k.scalars[((bi * hkv + kv) * s + j) * d + x]) }
                weights[j] = Foundation.exp(dot * scale)
            }
            let total = weights.reduce(0, +)
            for x in 0..<d {
                var expected = 0.0
                for j in 0..<s { expected += weights[j] / total * Double(v.scalars[((bi * hkv + kv) * s + j) * d + x]) }
                #expect(abs(Double(out.scalars[((bi * h + hi) * t + ti) * d + x]) - expected) < 1e-5)
            }
        }}}
    }

    @Test func rotaryMatchesRotateHalfFormula() {
        let x = Tensor(shape: [1, 1, 1, 4], scalars: [1, 2, 3, 4])
        let out = x.rotaryEmbedding(positions: [3], base: 10_000)
        let f0 = Float(3), f1 = Float(3) / Foundation.pow(10_000, 0.5)
        let expected: [Float] = [1 * cos(f0) - 3 * sin(f0), 2 * cos(f1) - 4 * sin(f1),
                                 3 * cos(f0) + 1 * sin(f0), 4 * cos(f1) + 2 * sin(f1)]
        for (a, e) in zip(out.scalars, expected) { #expect(abs(a - e) < 1e-5) }
    }

    @Test func normsMatchTheirFormulas() {
        let x = Tensor(shape: [1, 4], scalars: [1, 2, 3, 4])
        let rms = x.rmsNorm(weight: Tensor([1, 1, 2, 2]), eps: 0)
        let r = Float(1 / (30.0 / 4).squareRoot())
        #expect(zip(rms.scalars, [1 * r, 2 * r, 6 * r, 8 * r]).allSatisfy { abs($0 - $1) < 1e-6 })
        let ln = x.layerNorm(weight: .ones([4]), bias: .zeros([4]), eps: 0)
        let sd = Float(1.25.squareRoot())
        #expect(zip(ln.scalars, [-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd]).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
