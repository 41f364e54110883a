import Dispatch
import Synchronization

/// Runs independent pieces of work (say, one training run per seed) side by side, one thread each.
///
/// Small models keep two cores busier as two single-threaded runs than as one run split across both: their
/// matrices are too small for more threads to pay. Inside a job, MLAN's loops and GEMM tiles use the job's own
/// thread only (OpenBLAS itself always runs single-threaded), and results never depend on the split, so every
/// job computes the same bits as it would alone (see `Parallel.forEach`).
public enum IndependentJobs {
    /// Calls `body(index)` for every index in `0..<count` on up to `workers` threads at once, each call
    /// single-threaded, and returns when all have finished. With one worker (or one job) the calls run in order on
    /// the calling thread, with the usual thread count.
    /// - Throws: the error of the lowest-numbered job that threw, after every job has finished.
    public static func run(count: Int, workers: Int, _ body: (Int) throws -> Void) throws {
        let workers = Swift.max(1, Swift.min(workers, count))
        if workers == 1 {
            for index in 0..<count { try body(index) }
            return
        }
        let errors = Mutex<[Int: any Error]>([:])
        let next = Mutex(0)
        try withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let index = next.withLock { value -> Int in
                        defer { value += 1 }
                        return value
                    }
                    guard index < count else { return }
                    do { try Parallel.withThreads(1) { try shared.value(index) } } catch {
                        errors.withLock { $0[index] = error }
                    }
                }
            }
            if let first = errors.withLock({ $0.min { $0.key < $1.key } }) { throw first.value }
        }
    }
}
