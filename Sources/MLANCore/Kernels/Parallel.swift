/// MLAN's one thread pool: its own loops and its GEMM tiles run on `BLAS.threadCount` workers (`MLAN_THREADS`).
///
/// A loop is cut into more pieces than there are workers, and each worker takes the next piece when it is
/// free, so a worker that another process slows down simply does fewer pieces: on a shared machine a second
/// thread helps instead of making the loop wait for its slowest half. Callers compute every item the same way
/// whichever piece it falls in, so results do not depend on the split; reductions that cross items keep their
/// own fixed order (see `Tensor.sum(axes:keepDims:)`).
enum Parallel {
    /// Pieces per worker when a loop is large enough: enough for balance, few enough to keep pieces long.
    static let piecesPerWorker = 4

    /// Calls `body` on contiguous ranges covering `0..<count`: one range when `count < 2 · grain` or with one
    /// thread, else up to `piecesPerWorker · BLAS.threadCount` ranges of at least `grain` items whose inner
    /// bounds are multiples of 8 (some may be empty and are skipped).
    @inline(__always)
    static func forEach(count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let pieces = threadLimit.map { Swift.min($0, count) }
            ?? (BLAS.threadCount <= 1 ? 1 : Swift.min(piecesPerWorker * BLAS.threadCount, count / Swift.max(grain, 1)))
        if pieces <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        forEachPiece(pieces) { piece in
            let start = piece == 0 ? 0 : (count * piece / pieces) & ~7
            let end = piece == pieces - 1 ? count : (count * (piece + 1) / pieces) & ~7
            if start < end { body(start..<end) }
        }
    }

    /// Calls `body(piece)` once for every piece in `0..<pieces`, on the calling thread and up to
    /// `BLAS.threadCount − 1` helpers of `WorkerPool.shared`, each taking the next piece as soon as it is free. The
    /// call returns when every piece is done; it never waits for a helper that has not started yet (on a busy
    /// machine a helper may wait long for a core: the caller then does its share too), and a helper that starts
    /// late finds nothing left. A call made while the pool is busy (from inside a piece, or from another thread)
    /// runs its pieces on its own thread.
    static func forEachPiece(_ pieces: Int, _ body: (Int) -> Void) {
        let helpers = Swift.min(threadLimit ?? BLAS.threadCount, pieces) - 1
        if helpers > 0 && WorkerPool.shared.run(pieces, helpers: helpers, body) { return }
        for piece in 0..<pieces { body(piece) }
    }
}

extension Parallel {
    /// In this task, split every loop into this many ranges regardless of size and run pieces (loop ranges,
    /// GEMM tiles) on up to this many workers, the caller included and at most `BLAS.threadCount` (tests use it to
    /// check that results do not depend on the split).
    @TaskLocal static var threadLimit: Int?

    /// Runs `body` splitting every parallel loop into up to `threads` ranges, whatever its size.
    static func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $threadLimit.withValue(threads) { try body() }
    }
}

/// A value handed to worker threads that the caller guarantees is used safely (disjoint writes).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
