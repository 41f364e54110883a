import CKernels
import Dispatch
import Foundation
import Synchronization

/// The long-lived helper threads behind `Parallel.forEachPiece`.
///
/// A decode step runs ~210 matrix-vector products of ~0.1 ms each, back to back. Waking a parked thread for each
/// costs a system call on both sides and, on a busy machine, a wait for the scheduler. So after a piece set the
/// helpers spin for a short while (`spinBudget`, a `pause` a turn, a `sched_yield` now and then so that a thread
/// waiting for this core gets it) watching for the next one, and only then park on a condition variable. Idle,
/// they cost nothing; in a run of products, the next set is seen within a fraction of a microsecond.
///
/// One call at a time owns the pool. A call made while it is owned (from inside a piece, or from another thread)
/// is refused and runs its pieces on its own thread, so no call ever waits for the pool.
///
/// The caller always takes pieces too, and waits at the end only for pieces that a helper has claimed and not
/// finished: a helper that has not started yet finds the set gone (or finished) and claims nothing.
final class WorkerPool: @unchecked Sendable {
    /// `BLAS.threadCount − 1` helpers, started on first use.
    static let shared = WorkerPool(helpers: BLAS.threadCount - 1)

    /// How long an idle thread spins before it parks (`MLAN_SPIN_MICROSECONDS`, default 100 µs; 0 parks at once).
    static let spinBudget: UInt64 = {
        let micros = ProcessInfo.processInfo.environment["MLAN_SPIN_MICROSECONDS"].flatMap(UInt64.init) ?? 100
        return micros * 1000
    }()

    /// Helper threads (the caller is not counted).
    let helpers: Int
    /// The current set's number (high 32 bits) and how many of its pieces are still unclaimed (low 32 bits). A
    /// thread claims piece `r − 1` of set `s` by moving this from `(s, r)` to `(s, r − 1)`, so a claim made with a
    /// stale view of the set fails and nothing else about the set has to be read to claim.
    private let claim = Atomic<UInt64>(0)
    /// The current set's body and helper count, written before its number is published in `claim`; read by a
    /// helper before it claims, used only once it holds a piece (which keeps the set current).
    private let body = Atomic<UnsafeRawPointer?>(nil), wanted = Atomic<Int>(0)
    /// Pieces of the current set not yet finished.
    private let unfinished = Atomic<Int>(0)
    private let owned = Atomic<Bool>(false)
    /// Helpers parked on `posted`, and whether the caller is parked on `finished`.
    private let parkedHelpers = Atomic<Int>(0), callerParked = Atomic<Bool>(false)
    private let posted = NSCondition(), finished = NSCondition()

    /// Starts `helpers` threads (none when `helpers ≤ 0`) named `name-1`, `name-2`, …; they live as long as the
    /// process.
    init(helpers: Int, name: String = "mlan-worker") {
        self.helpers = Swift.max(0, helpers)
        for index in 0..<self.helpers {
            let label = "\(name)-\(index + 1)"
            Thread {
                Thread.current.name = label  // for `top -H` and `/proc` (best effort: Foundation may not pass it on)
                self.helperLoop(index)
            }.start()
        }
    }

    /// Calls `body(piece)` once for every piece in `0..<count` on the calling thread and up to `helpers` pool
    /// threads, in no particular order, and returns true when all are done; returns false at once, having run
    /// nothing, when another call owns the pool.
    func run(_ count: Int, helpers: Int, _ body: (Int) -> Void) -> Bool {
        precondition(count >= 0 && count <= Int(UInt32.max), "WorkerPool: cannot run \(count) pieces")
        guard count > 0 else { return true }
        guard owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { owned.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { address in
                let word = ((claim.load(ordering: .relaxed) >> 32) + 1) << 32 | UInt64(count)
                self.body.store(UnsafeRawPointer(address), ordering: .relaxed)
                wanted.store(Swift.min(helpers, self.helpers), ordering: .relaxed)
                unfinished.store(count, ordering: .relaxed)
                claim.store(word, ordering: .sequentiallyConsistent)
                if parkedHelpers.load(ordering: .sequentiallyConsistent) > 0 {
                    posted.lock()
                    posted.broadcast()
                    posted.unlock()
                }
                work(from: word, body: address)
                waitUntilFinished()
                self.body.store(nil, ordering: .relaxed)
            }
        }
        return true
    }

    /// Claims and runs pieces of the set `word` names until none is left or the set is no longer current.
    private func work(from word: UInt64, body: UnsafePointer<(Int) -> Void>) {
        let set = word >> 32
        var word = word
        while word >> 32 == set && word & 0xFFFF_FFFF > 0 {
            let (exchanged, seen) = claim.compareExchange(expected: word, desired: word - 1, ordering: .relaxed)
            if !exchanged {
                word = seen
                continue
            }
            word -= 1
            body.pointee(Int(word & 0xFFFF_FFFF))
            if unfinished.subtract(1, ordering: .sequentiallyConsistent).newValue == 0,
               callerParked.load(ordering: .sequentiallyConsistent) {
                finished.lock()
                finished.broadcast()
                finished.unlock()
            }
        }
    }

    /// Returns when every piece of the current set is finished: spins, then parks until the last one signals.
    private func waitUntilFinished() {
        if spin(until: { unfinished.load(ordering: .acquiring) == 0 }) { return }
        finished.lock()
        callerParked.store(true, ordering: .sequentiallyConsistent)
        while unfinished.load(ordering: .sequentiallyConsistent) != 0 { finished.wait() }
        callerParked.store(false, ordering: .relaxed)
        finished.unlock()
    }

    /// A helper's life: wait for a set newer than the last one seen, work on it if wanted, repeat.
    private func helperLoop(_ index: Int) {
        var seen: UInt64 = 0
        while true {
            let word = nextSet(after: seen)
            seen = word >> 32
            guard index < wanted.load(ordering: .relaxed), let body = body.load(ordering: .relaxed) else { continue }
            work(from: word, body: body.assumingMemoryBound(to: ((Int) -> Void).self))
        }
    }

    /// The `claim` word of the first set published after set `seen`: spins for it, then parks until it comes.
    private func nextSet(after seen: UInt64) -> UInt64 {
        var word = claim.load(ordering: .acquiring)
        if spin(until: { word = claim.load(ordering: .acquiring); return word >> 32 != seen }) { return word }
        posted.lock()
        parkedHelpers.add(1, ordering: .sequentiallyConsistent)
        while claim.load(ordering: .sequentiallyConsistent) >> 32 == seen { posted.wait() }
        parkedHelpers.subtract(1, ordering: .relaxed)
        posted.unlock()
        return claim.load(ordering: .acquiring)
    }

    /// Busy-waits up to `spinBudget` for `condition`; true when it came true.
    private func spin(until condition: () -> Bool) -> Bool {
        if condition() { return true }
        guard Self.spinBudget > 0 else { return false }
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinBudget
        var turns = 0
        while true {
            for _ in 0..<32 {
                if condition() { return true }
                mlan_spin_pause()
            }
            turns += 1
            if turns % 16 == 0 { sched_yield() }
            if DispatchTime.now().uptimeNanoseconds > deadline { return condition() }
        }
    }
}
