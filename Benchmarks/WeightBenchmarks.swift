import Foundation
import MLANCore

/// Matrix-vector products over weights in stored form (`mlan-bench weights`): the decode step's kernel, one token
/// against a LLaVA-1.5-7B-sized `down_proj` (4096 × 11008) in each form a `--weights` choice gives, and against all
/// of SmolLM2's Q4_1 matrices (75 MB, larger than the caches). Bytes read per second tell what decode of a larger
/// model in that form can reach on this machine.
enum WeightBenchmarks {
    static let suite = BenchmarkSuite(name: "weights", run: run)

    static func run() {
        print("Matrix-vector products, one token, weights in stored form (\(BLAS.threadCount) threads, kernels: \(FrozenMatrix.InstructionSet.best), 8-bit activations: \(FrozenMatrix.q8KernelName))")
        print(cell("matrix", 46) + cell("form", 7) + cell("MB", 8) + cell("ms", 9) + cell("GB/s", 7) + "GMAC/s")
        var rng = SplitMix64(seed: 15)
        let (rows, columns) = (4096, 11008)
        let dense = Tensor.normal([rows, columns], std: 0.02, using: &rng)
        let x = Tensor.normal([1, columns], std: 1, using: &rng)
        let blas = medianSeconds(repeats: 9) { _ = x.matmul(dense, transposeOther: true) }
        report("4096 × 11008, OpenBLAS sgemv", "f32", bytes: 4 * rows * columns, macs: rows * columns, seconds: blas)
        for type in [GGMLType.f32, .bf16, .f16, .q8_0] {
            let matrix = FrozenMatrix(encoding: dense, as: type)
            let seconds = medianSeconds(repeats: 9) { _ = matrix.multiply(x) }
            report("4096 × 11008, FrozenMatrix", "\(type)", bytes: matrix.byteCount, macs: rows * columns, seconds: seconds)
            if FrozenMatrix.supportsQ8Activations(type) {
                matrix.activations = .q8
                let q8 = medianSeconds(repeats: 9) { _ = matrix.multiply(x) }
                report("4096 × 11008, FrozenMatrix, --activations q8", "\(type)", bytes: matrix.byteCount, macs: rows * columns, seconds: q8)
            }
        }
        if FileManager.default.fileExists(atPath: ModelBenchmarks.modelPath.path),
           let file = try? GGUFFile.load(from: ModelBenchmarks.modelPath) {
            let matrices = file.tensorInfos.filter { $0.type == .q4_1 && $0.dimensions.count == 2 }
                .compactMap { try? FrozenMatrix(gguf: file, tensor: $0.name) }
            let inputs = matrices.map { Tensor.normal([1, $0.columns], std: 1, using: &rng) }
            let seconds = medianSeconds(repeats: 9) { for (m, v) in zip(matrices, inputs) { _ = m.multiply(v) } }
            report("SmolLM2's \(matrices.count) Q4_1 matrices", "q4_1", bytes: matrices.reduce(0) { $0 + $1.byteCount },
                   macs: matrices.reduce(0) { $0 + $1.rows * $1.columns }, seconds: seconds)
            for matrix in matrices { matrix.activations = .q8 }
            let q8 = medianSeconds(repeats: 9) { for (m, v) in zip(matrices, inputs) { _ = m.multiply(v) } }
            report("SmolLM2's Q4_1 matrices, q8 activations", "q4_1", bytes: matrices.reduce(0) { $0 + $1.byteCount },
                   macs: matrices.reduce(0) { $0 + $1.rows * $1.columns }, seconds: q8)
        }
        print()
    }

    static func report(_ name: String, _ form: String, bytes: Int, macs: Int, seconds: Double) {
        print(cell(name, 46) + cell(form, 7) + cell(format(Double(bytes) / 1e6), 8) + cell(format(seconds * 1e3, 2), 9)
              + cell(format(Double(bytes) / seconds / 1e9), 7) + format(Double(macs) / seconds / 1e9, 2))
    }
}
