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
    /// Large products run as tiles on `Parallel`'s workers, split the way that packs the fewest floats
    /// (`Split.cheapest`): column blocks of C (each tile packs A again), row blocks (each packs B again), or, when
    /// `beta == 0` and k dwarfs m and n, blocks of k whose partial products are summed in tile order afterwards.
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float = 0,
                      c: UnsafeMutablePointer<Float>) {
        if beta == 0 { Memory.adviseHugePages(UnsafeMutableRawPointer(c), bytes: m * n * MemoryLayout<Float>.stride) }
        let (lda, ldb) = (transA ? m : k, transB ? k : n)
        let split = Split.cheapest(m: m, n: n, k: k, summable: beta == 0)
        let extent = split == .columns ? n : split == .rows ? m : k
        let tiles = tileCount(split: extent, flops: 2 * m * n * k)
        if tiles <= 1 {
            gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
            return
        }
        let step = (extent + tiles - 1) / tiles
        if split == .depth {
            sumOfDepthTiles(tiles, step: step, m: m, n: n, k: k, c: c) { tile, start, size, out in
                // out = op(A)[:, start..<start+size] · op(B)[start..<start+size, :]
                gemm(transA, transB, m, n, size, alpha, a + (transA ? start * m : start), lda,
                     b + (transB ? start : start * n), ldb, 0, out, n)
            }
            return
        }
        Parallel.forEachPiece(tiles) { tile in
            let start = tile * step, size = Swift.min(step, extent - start)
            guard size > 0 else { return }
            if split == .columns {  // C[:, start..<start+size] = op(A) · op(B)[:, start...]
                gemm(transA, transB, m, size, k, alpha, a, lda, b + (transB ? start * k : start), ldb, beta, c + start, n)
            } else {                // C[start..<start+size, :] = op(A)[start..., :] · op(B)
                gemm(transA, transB, size, n, k, alpha, a + (transA ? start : start * k), lda, b, ldb, beta, c + start * n, n)
            }
        }
    }

    /// How a product is cut into tiles.
    enum Split: Equatable {
        case rows, columns, depth

        /// The split that moves the fewest floats: OpenBLAS packs both operands once per call, so a tile of rows
        /// repacks all of B, a tile of columns all of A, and a tile of k only its share of each but writes and
        /// reads back an `m × n` partial product. Depends on the shape only (see `tileCount`).
        static func cheapest(m: Int, n: Int, k: Int, summable: Bool) -> Split {
            let tiles = maximumTiles
            let (packA, packB, partial) = (m * k, k * n, m * n)
            let byRows = packA + tiles * packB, byColumns = tiles * packA + packB
            let byDepth = packA + packB + 2 * tiles * partial
            if summable && k >= 32 * tiles && byDepth < Swift.min(byRows, byColumns) { return .depth }
            return n >= m ? .columns : .rows
        }
    }

    /// Runs `tiles` GEMMs over blocks of k (`product(tile, start, size, out)` writes its `m × n` partial product
    /// to `out`), tile 0 straight into `c` and the others into a scratch buffer, then adds the partials into
    /// `c` in tile order, row blocks in parallel: the same additions in the same order for any thread count.
    private static func sumOfDepthTiles(_ tiles: Int, step: Int, m: Int, n: Int, k: Int, c: UnsafeMutablePointer<Float>,
                                        _ product: (Int, Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        let size = m * n
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (tiles - 1) * size)
        defer { scratch.deallocate() }
        Parallel.forEachPiece(tiles) { tile in
            let start = tile * step, depth = Swift.min(step, k - start)
            let out = tile == 0 ? c : scratch + (tile - 1) * size
            if depth > 0 { product(tile, start, depth, out) } else { out.initialize(repeating: 0, count: size) }
        }
        Parallel.forEach(count: size, grain: 1 << 15) { range in
            let c = c + range.lowerBound, count = range.count
            for tile in 1..<tiles {
                let partial = UnsafePointer(scratch + (tile - 1) * size + range.lowerBound)
                var i = 0
                while i + 8 <= count {
                    Broadcast.store(Broadcast.load(c + i) + Broadcast.load(partial + i), c + i)
                    i += 8
                }
                while i < count { c[i] += partial[i]; i += 1 }
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

    /// At most this many tiles per product (2 per worker on two cores). Every tile repacks one operand, also
    /// when one worker runs them all: 8 tiles cost S-sized products 9–18 % at one thread against one call,
    /// 4 tiles about half that.
    static let maximumTiles = 4

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
