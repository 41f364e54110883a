import COpenBLAS
import Foundation

/// The package's only door to OpenBLAS: single-precision GEMM and GEMV, and the thread count.
///
/// OpenBLAS itself always runs single-threaded here. A large product is cut into tiles (row or column blocks
/// of the output) that `Parallel` hands to MLAN's own workers, the same workers as MLAN's other kernels: one
/// pool, no OpenBLAS workers spinning beside it for a tenth of a second after each call, and tiles taken
/// as workers become free, so on a machine shared with other processes a second thread never waits for a
/// slowed half. The tiling depends on the shape only (a single worker runs the same tiles in turn), so
/// results do not depend on the thread count.
public enum BLAS {
    /// Threads MLAN uses for GEMM tiles and its own loops: `MLAN_THREADS` if set, else the number of cores.
    /// Read on first use (OpenBLAS is then set to one thread).
    public static let threadCount: Int = {
        let env = ProcessInfo.processInfo.environment["MLAN_THREADS"].flatMap(Int.init)
        openblas_set_num_threads(1)
        return Swift.max(1, env ?? ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The core type OpenBLAS selected at load time (e.g. "Haswell", "SkylakeX").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Smallest tile worth a task of its own (floating-point operations): ~10–20 µs of GEMM.
    static let minimumTileFLOPs = 2 << 20

    /// C = alpha · op(A) · op(B) + beta · C on raw row-major buffers.
    ///
    /// `op(A)` is `[m, k]`; A is stored `[m, k]` (or `[k, m]` when `transA`), B is `[k, n]` (or `[n, k]`).
    /// Large products run as tiles on `Parallel`'s workers: column blocks when `n ≥ m` (each tile packs A
    /// again), else row blocks (each packs B again).
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float = 0,
                      c: UnsafeMutablePointer<Float>) {
        if beta == 0 { Memory.adviseHugePages(UnsafeMutableRawPointer(c), bytes: m * n * MemoryLayout<Float>.stride) }
        let (lda, ldb) = (transA ? m : k, transB ? k : n)
        let byColumns = n >= m
        let tiles = tileCount(split: byColumns ? n : m, flops: 2 * m * n * k)
        if tiles <= 1 {
            gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
            return
        }
        let split = byColumns ? n : m
        let step = (split + tiles - 1) / tiles
        Parallel.forEachPiece(tiles) { tile in
            let start = tile * step, size = Swift.min(step, split - start)
            guard size > 0 else { return }
            if byColumns {  // C[:, start..<start+size] = op(A) · op(B)[:, start...]
                gemm(transA, transB, m, size, k, alpha, a, lda, b + (transB ? start * k : start), ldb, beta, c + start, n)
            } else {        // C[start..<start+size, :] = op(A)[start..., :] · op(B)
                gemm(transA, transB, size, n, k, alpha, a + (transA ? start : start * k), lda, b, ldb, beta, c + start * n, n)
            }
        }
    }

    /// y = op(A) · x for row-major `A` stored `[rows, columns]`; `op(A)` is A, or Aᵀ when `transpose`.
    /// Large products run as blocks of y on `Parallel`'s workers.
    static func sgemv(transpose: Bool, rows: Int, columns: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>,
                      y: UnsafeMutablePointer<Float>) {
        let outputs = transpose ? columns : rows
        let tiles = tileCount(split: outputs, flops: 2 * rows * columns * 8)  // memory-bound: ~8× a GEMM's time per flop
        let step = (outputs + tiles - 1) / tiles
        Parallel.forEachPiece(tiles) { tile in
            let start = tile * step, size = Swift.min(step, outputs - start)
            guard size > 0 else { return }
            if transpose {  // y[start...] = A[:, start...]ᵀ · x
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(size), 1, a + start, Int32(columns),
                            x, 1, 0, y + start, 1)
            } else {        // y[start...] = A[start..., :] · x
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(size), Int32(columns), 1, a + start * columns,
                            Int32(columns), x, 1, 0, y + start, 1)
            }
        }
    }

    /// At most this many tiles per product (4 per worker on two cores).
    static let maximumTiles = 8

    /// How many tiles a product splitting `split` output rows or columns gets: up to `maximumTiles`, each at
    /// least 32 wide and `minimumTileFLOPs`. It depends on the shape only, never on the thread count: OpenBLAS
    /// rounds a tile differently from the whole product (its small-matrix kernels, edge kernels), so the same
    /// tiles, run on one worker or several, are what keeps results the same bits for every `MLAN_THREADS`.
    static func tileCount(split: Int, flops: Int) -> Int {
        Swift.max(1, Swift.min(maximumTiles, split / 32, flops / minimumTileFLOPs))
    }

    @inline(__always)
    private static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        _ = threadCount
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
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
