import Foundation
import MLANTestSupport
import Testing
@testable import MLANCore

/// Decode-sized products with activations rounded to 8 bits (`ActivationPrecision.q8`): the same bits on every
/// instruction set, the exact product with the rounded input, and within the rounding's bound of the Float32 one.
@Suite struct Q8ActivationTests {
    static let instructionSets = FrozenMatrixTests.instructionSets

    /// The Q4_0, Q4_1 and Q8_0 matrices of the all-types fixture, a Q8_0 matrix of 7 rows (the kernels' remainder
    /// rows) and three real SmolLM2 matrices (Q4_1 projections, the Q8_0 embedding that is also the head), with
    /// their Float32 values.
    static func matrices() throws -> [(String, FrozenMatrix, Tensor)] {
        let odd = FrozenMatrix(encoding: FrozenMatrixTests.input(7, 64, seed: 9), as: .q8_0)
        let fixture = try FrozenMatrixTests.fixtureMatrices().filter { FrozenMatrix.supportsQ8Activations($0.1.type) }
            + [("q8_0 7×64", odd, odd.dequantized())]
        let gguf = try GGUFFile.load(from: SharedPaths.smolLM2())
        let real = try ["blk.0.ffn_down.weight", "blk.3.attn_k.weight", "token_embd.weight"].map { name in
            (name, try FrozenMatrix(gguf: gguf, tensor: name), try gguf.tensor(named: name))
        }
        return fixture + real
    }

    /// The input as the kernels round it: per 32 values d = max |x| / 127, q = x · (1 / d) to nearest (ties to even),
    /// x̂ = d · q; also d / 2, the largest rounding error, per element.
    static func rounded(_ x: Tensor) -> (values: Tensor, halfStep: Tensor) {
        var values = x.scalars, halfStep = x.scalars
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = x.scalars[start..<(start + 32)]
            let d = block.reduce(Float(0)) { Swift.max($0, abs($1)) } / 127
            let inverse: Float = d != 0 ? 1 / d : 0
            for j in start..<(start + 32) {
                values[j] = d * Swift.min(127, Swift.max(-127, (x.scalars[j] * inverse).rounded(.toNearestOrEven)))
                halfStep[j] = d / 2
            }
        }
        return (Tensor(shape: x.shape, scalars: values), Tensor(shape: x.shape, scalars: halfStep))
    }

    static func q8Product(_ matrix: FrozenMatrix, _ x: Tensor, isa: FrozenMatrix.InstructionSet) -> Tensor {
        matrix.activations = .q8
        defer { matrix.activations = .f32 }
        return FrozenMatrix.$instructionSet.withValue(isa) { matrix.multiply(x) }
    }

    @Test func everyInstructionSetGivesTheSameBits() throws {
        #expect(Self.instructionSets.count >= 2 || FrozenMatrix.InstructionSet.best == .portable)
        for (name, matrix, _) in try Self.matrices() {
            for tokens in matrix.rows > 10_000 ? [1, 6] : [1, 2, 3, 4, 5, 7, 9, 15] {
                let x = FrozenMatrixTests.input(tokens, matrix.columns, seed: UInt64(tokens))
                let portable = Self.q8Product(matrix, x, isa: .portable)
                for isa in Self.instructionSets.dropFirst() {
                    let got = Self.q8Product(matrix, x, isa: isa)
                    #expect(got.scalars.map(\.bitPattern) == portable.scalars.map(\.bitPattern), "\(name) \(isa) tokens \(tokens)")
                }
                let threads = Parallel.withThreads(3) { Self.q8Product(matrix, x, isa: .best) }
                #expect(threads.scalars.map(\.bitPattern) == portable.scalars.map(\.bitPattern), "\(name) 3 threads")
            }
        }
    }

    /// The VNNI kernels run where the CPU reports them, so the test above compares them with the portable code there.
    @Test func theVNNIKernelsRunWhereTheCPUHasThem() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(cpuinfo.split(whereSeparator: \.isWhitespace).map(String.init))
        let vnni = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni"].allSatisfy(flags.contains)
        let best = FrozenMatrix.$instructionSet.withValue(.best) { FrozenMatrix.q8KernelName }
        #expect(best == (vnni ? "avx512-vnni" : flags.contains("avx2") ? "avx2" : "portable"))
        #expect(FrozenMatrix.$instructionSet.withValue(.avx2) { FrozenMatrix.q8KernelName } != "avx512-vnni")
        #expect(FrozenMatrix.$instructionSet.withValue(.portable) { FrozenMatrix.q8KernelName } == "portable")
    }

    /// With x̂ the rounded input: |q8(x) − W x̂| ≤ 1e-5 · Σ|w||x̂| (Float32 summation order), and
    /// |q8(x) − W x| ≤ Σ_j |w_j| · d_j / 2 + 1e-5 · Σ|w||x| (the rounding bound). The difference is not zero:
    /// the rounding really happens.
    @Test func equalsTheProductWithTheRoundedInputAndStaysWithinTheRoundingBound() throws {
        for (name, matrix, dense) in try Self.matrices() {
            for tokens in [1, 3, 8] {
                let x = FrozenMatrixTests.input(tokens, matrix.columns, seed: 40 + UInt64(tokens))
                let (xHat, halfStep) = Self.rounded(x)
                let got = Self.q8Product(matrix, x, isa: .best)
                let absW = FrozenMatrixTests.absolute(dense)
                let exact = xHat.matmul(dense, transposeOther: true)
                FrozenMatrixTests.expectClose(got, exact, bound: FrozenMatrixTests.absolute(xHat).matmul(absW, transposeOther: true),
                                              "\(name) vs W x̂, tokens \(tokens)")
                let float32 = x.matmul(dense, transposeOther: true)
                let rounding = halfStep.matmul(absW, transposeOther: true)
                let summation = FrozenMatrixTests.absolute(x).matmul(absW, transposeOther: true)
                var worst: Float = 0, largest: Float = 0
                for i in 0..<got.count {
                    let error = abs(got.scalars[i] - float32.scalars[i])
                    worst = Swift.max(worst, error / (rounding.scalars[i] + 1e-5 * summation.scalars[i]))
                    largest = Swift.max(largest, error)
                }
                #expect(worst <= 1, "\(name) tokens \(tokens): error \(worst) of the bound")
                #expect(largest > 0, "\(name) tokens \(tokens): q8 equals f32 exactly, so nothing was rounded")
            }
        }
    }

    /// 16 input rows and more, other stored types, and `.f32` keep Float32 activations.
    @Test func appliesOnlyToDecodeSizedProductsOfBlockTypes() throws {
        let gguf = try GGUFFile.load(from: SharedPaths.fixture("gguf/types.gguf"))
        let q4 = try FrozenMatrix(gguf: gguf, tensor: "t.q4_1")
        #expect(q4.activations == .f32)
        let long = FrozenMatrixTests.input(16, q4.columns, seed: 5), short = FrozenMatrixTests.input(2, q4.columns, seed: 5)
        #expect(Self.q8Product(q4, long, isa: .best).scalars == q4.multiply(long).scalars)
        #expect(Self.q8Product(q4, short, isa: .best).scalars != q4.multiply(short).scalars)
        for type in [GGMLType.q4K, .q6K, .f16, .bf16] { #expect(!FrozenMatrix.supportsQ8Activations(type)) }
        let half = FrozenMatrix(encoding: FrozenMatrixTests.input(5, 64, seed: 7), as: .f16)
        let x = FrozenMatrixTests.input(3, 64, seed: 6)
        #expect(Self.q8Product(half, x, isa: .best).scalars == half.multiply(x).scalars)
    }
}
