import Foundation
import MLANTestSupport
import Testing
@testable import MLANCore

/// The stored-form weight kernels against dequantize-then-Float32-matmul, on every instruction set this CPU has.
@Suite struct FrozenMatrixTests {
    static let instructionSets = FrozenMatrix.InstructionSet.allCases.filter { $0.rawValue <= FrozenMatrix.InstructionSet.best.rawValue }

    /// Every kernel-supported tensor of the all-types fixture, as a frozen matrix.
    static func fixtureMatrices() throws -> [(String, FrozenMatrix, Tensor)] {
        let gguf = try GGUFFile.load(from: SharedPaths.fixture("gguf/types.gguf"))
        return try gguf.tensorInfos.filter { FrozenMatrix.supports($0.type) }.map { info in
            (info.name, try FrozenMatrix(gguf: gguf, tensor: info.name), try gguf.tensor(named: info.name))
        }
    }

    static func input(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor.normal([rows, columns], std: 1, using: &rng)
    }

    static func absolute(_ t: Tensor) -> Tensor { Tensor(shape: t.shape, scalars: t.scalars.map { Swift.abs($0) }) }

    /// |a - b| ≤ 1e-5 · Σ|w||x| per output: the rounding of a Float32 dot product in another order.
    static func expectClose(_ got: Tensor, _ want: Tensor, bound: Tensor, _ label: String) {
        #expect(got.shape == want.shape, "\(label): \(got.shape) vs \(want.shape)")
        let worst = zip(zip(got.scalars, want.scalars), bound.scalars).map { pair, b in abs(pair.0 - pair.1) / Swift.max(b, 1e-30) }.max() ?? 0
        #expect(worst <= 1e-5, "\(label): worst error \(worst) of Σ|w||x|")
    }

    @Test func coversTheIssuesTypes() {
        for type in [GGMLType.q4_0, .q4_1, .q8_0, .q4K, .q5K, .q6K, .f16, .bf16, .f32] { #expect(FrozenMatrix.supports(type)) }
        #expect(!FrozenMatrix.supports(.q5_0))
    }

    @Test func dequantizesBitForBitLikeTheGGUFReader() throws {
        for (name, matrix, expected) in try Self.fixtureMatrices() {
            for isa in Self.instructionSets {
                let got = FrozenMatrix.$instructionSet.withValue(isa) { matrix.dequantized() }
                #expect(got.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "\(name) \(isa)")
                let rows = FrozenMatrix.$instructionSet.withValue(isa) { matrix.gather([3, 0, 3]) }
                #expect(rows.scalars == Array(expected.scalars[1536..<2048] + expected.scalars[0..<512] + expected.scalars[1536..<2048]))
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 9, 16, 21])
    func multipliesLikeTheDequantizedMatrix(_ tokens: Int) throws {
        for (name, matrix, dense) in try Self.fixtureMatrices() {
            let x = Self.input(tokens, matrix.columns, seed: UInt64(tokens))
            let want = x.matmul(dense, transposeOther: true)
            let bound = Self.absolute(x).matmul(Self.absolute(dense), transposeOther: true)
            for isa in Self.instructionSets {
                let got = FrozenMatrix.$instructionSet.withValue(isa) { matrix.multiply(x) }
                Self.expectClose(got, want, bound: bound, "\(name) \(isa) tokens \(tokens)")
            }
        }
    }

    /// 16-bit rows whose length is not a multiple of the vector width take the scalar tail.
    @Test(arguments: [GGMLType.bf16, .f16])
    func sixteenBitRowsOfAnyLength(_ type: GGMLType) {
        let w = FrozenMatrix(encoding: Self.input(7, 37, seed: 11), as: type)
        let dense = w.dequantized()
        for tokens in [1, 3, 5, 20] {
            let x = Self.input(tokens, 37, seed: UInt64(tokens))
            let want = x.matmul(dense, transposeOther: true)
            let bound = Self.absolute(x).matmul(Self.absolute(dense), transposeOther: true)
            for isa in Self.instructionSets {
                Self.expectClose(FrozenMatrix.$instructionSet.withValue(isa) { w.multiply(x) }, want, bound: bound,
                                 "\(type) \(isa) tokens \(tokens)")
            }
        }
    }

    /// A real 576×1536 Q4_1 and a 192×576 Q/K matrix, split over threads in different ways.
    @Test func realSmolLM2MatricesAgreeWhateverTheThreadSplit() throws {
        let gguf = try GGUFFile.load(from: SharedPaths.smolLM2())
        for name in ["blk.0.ffn_down.weight", "blk.3.attn_k.weight"] {
            let matrix = try FrozenMatrix(gguf: gguf, tensor: name)
            let dense = try gguf.tensor(named: name)
            #expect(matrix.dequantized().scalars == dense.scalars)
            for tokens in [1, 7, 40] {
                let x = Self.input(tokens, matrix.columns, seed: 7)
                let want = x.matmul(dense, transposeOther: true)
                let bound = Self.absolute(x).matmul(Self.absolute(dense), transposeOther: true)
                let one = Parallel.withThreads(1) { matrix.multiply(x) }
                Self.expectClose(one, want, bound: bound, "\(name) tokens \(tokens)")
                for threads in [2, 3] {
                    #expect(Parallel.withThreads(threads) { matrix.multiply(x) }.scalars == one.scalars, "\(name) \(threads) threads")
                }
            }
        }
    }

    @Test func reorderedRowsAreTheStoredRowsInThatOrder() throws {
        let gguf = try GGUFFile.load(from: SharedPaths.fixture("gguf/types.gguf"))
        let dense = try gguf.tensor(named: "t.q4_1")
        let matrix = try FrozenMatrix(gguf: gguf, tensor: "t.q4_1", rowOrder: [2, 0, 3, 1])
        let expected = [2, 0, 3, 1].flatMap { Array(dense.scalars[($0 * 512)..<($0 * 512 + 512)]) }
        #expect(matrix.dequantized().scalars == expected)
    }

    @Test func gradientsReachTheInputThroughTheStoredWeight() throws {
        for (name, matrix, dense) in try Self.fixtureMatrices() {
            for tokens in [2, 20] {
                let x = Self.input(tokens, matrix.columns, seed: 3).requiringGradient()
                let g = Self.input(tokens, matrix.rows, seed: 4)
                (matrix.multiply(x) * g).sum().backward()
                let want = g.matmul(dense)  // [T, in]
                let bound = Self.absolute(g).matmul(Self.absolute(dense))
                Self.expectClose(try #require(x.grad), want, bound: bound, "\(name) gradient, tokens \(tokens)")
            }
        }
    }

    @Test func encodesQ8_0AndSixteenBitFormsWithGGMLRounding() {
        let w = Self.input(3, 64, seed: 11)
        let q8 = FrozenMatrix(encoding: w, as: .q8_0).dequantized()
        for block in 0..<6 {
            let values = w.scalars[(32 * block)..<(32 * block + 32)]
            let d = Float(Float16(values.map { abs($0) }.max()! / 127))
            for j in 0..<32 {
                let i = 32 * block + j
                #expect(abs(q8.scalars[i] - w.scalars[i]) <= d * 0.5 + 1e-3 * d, "element \(i)")
            }
        }
        let bf16 = FrozenMatrix(encoding: w, as: .bf16).dequantized()
        #expect(zip(bf16.scalars, w.scalars).allSatisfy { abs($0 - $1) <= abs($1) * 0x1p-8 })
        #expect(QuantizedEncoding.bfloat16Bits(1 + 0x1p-8) == 0x3F80)       // a tie rounds to even
        #expect(QuantizedEncoding.bfloat16Bits(1 + 0x1p-8 + 0x1p-16) == 0x3F81)
        let f16 = FrozenMatrix(encoding: w, as: .f16).dequantized()
        #expect(zip(f16.scalars, w.scalars).allSatisfy { Float(Float16($1)) == $0 })
    }
}
