import COpenBLAS
import Foundation

/// The package's only door to OpenBLAS: single-precision GEMM and thread settings.
public enum BLAS {
    /// Threads OpenBLAS uses: `MLAN_THREADS` if set, else the number of cores. Applied on first use.
    public static let threadCount: Int = {
        let env = ProcessInfo.processInfo.environment["MLAN_THREADS"].flatMap(Int.init)
        let n = Swift.max(1, env ?? ProcessInfo.processInfo.activeProcessorCount)
        openblas_set_num_threads(Int32(n))
        return n
    }()

    /// The core type OpenBLAS selected at load time (e.g. "Haswell", "SkylakeX").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// C = alpha · op(A) · op(B) + beta · C on raw row-major buffers.
    ///
    /// `op(A)` is `[m, k]`; A is stored `[m, k]` (or `[k, m]` when `transA`), B is `[k, n]` (or `[n, k]`).
    @inline(__always)
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float = 0,
                      c: UnsafeMutablePointer<Float>) {
        _ = threadCount
        if beta == 0 { Memory.adviseHugePages(UnsafeMutableRawPointer(c), bytes: m * n * MemoryLayout<Float>.stride) }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(transA ? m : k), b, Int32(transB ? k : n),
                    beta, c, Int32(n))
    }

    /// y = op(A) · x for row-major `A` stored `[rows, columns]`; `op(A)` is A, or Aᵀ when `transpose`.
    @inline(__always)
    static func sgemv(transpose: Bool, rows: Int, columns: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>,
                      y: UnsafeMutablePointer<Float>) {
        _ = threadCount
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), 1, a,
                    Int32(columns), x, 1, 0, y, 1)
    }

    /// Raw `cblas_sgemm` on arrays (used by the benchmark as the baseline): C = A · B, all row-major.
    package static func rawMultiply(_ a: [Float], _ b: [Float], into c: inout [Float], m: Int, n: Int, k: Int) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    sgemm(transA: false, transB: false, m: m, n: n, k: k,
                          a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                }
            }
        }
    }
}
