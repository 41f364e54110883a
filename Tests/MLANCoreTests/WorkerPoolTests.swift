import Dispatch
import Foundation
import Synchronization
import Testing
@testable import MLANCore

/// The spinning pool behind `Parallel.forEachPiece`: every piece exactly once, helpers really run pieces (after
/// parking too), and calls made while the pool is busy (nested or from other threads) run on their own thread.
@Suite(.serialized) struct WorkerPoolTests {
    /// More helpers than this machine has cores, so that helpers are preempted in the middle of sets.
    static let pool = WorkerPool(helpers: 3, name: "test-pool")

    /// A value behind an `NSLock` (a pthread mutex, which ThreadSanitizer follows; it does not see the futex inside
    /// `Synchronization.Mutex`, so that one gives false reports under `make sanitize`).
    final class Locked<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value
        init(_ value: Value) { self.value = value }
        func withLock<R>(_ body: (inout Value) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&value)
        }
    }

    /// Counts, per piece, how often it ran.
    final class Tally: Sendable {
        let counts: Locked<[Int]>
        let size: Int
        init(_ size: Int) {
            self.size = size
            counts = Locked(Array(repeating: 0, count: size))
        }
        func count(_ piece: Int) { counts.withLock { $0[piece] += 1 } }
        func all() -> [Int] { counts.withLock { $0 } }
    }

    @Test func everyPieceRunsExactlyOnceUnderManyBackToBackCalls() {
        var rng = SplitMix64(seed: 15)
        for call in 0..<20_000 {
            let pieces = Int(rng.next() % 40) + 1
            let tally = Tally(pieces)
            let ran = Self.pool.run(pieces, helpers: Int(rng.next() % 4)) { tally.count($0) }
            #expect(ran)
            let counts = tally.all()
            if counts != Array(repeating: 1, count: pieces) {
                Issue.record("call \(call): pieces ran \(counts) times")
                return
            }
        }
    }

    @Test func helpersRunPiecesBesideTheCallerAlsoAfterParking() {
        for round in 0..<3 {
            Thread.sleep(forTimeInterval: Double(WorkerPool.spinBudget) / 1e9 + 0.002)  // helpers have parked
            let started = Atomic<Int>(0)
            let threads = Locked<Set<String>>([])
            let ran = Self.pool.run(2, helpers: 1) { _ in
                _ = threads.withLock { $0.insert("\(pthread_self())") }
                started.add(1, ordering: .relaxed)
                let deadline = DispatchTime.now().uptimeNanoseconds + 20_000_000_000
                while started.load(ordering: .relaxed) < 2 && DispatchTime.now().uptimeNanoseconds < deadline {
                    sched_yield()
                }
            }
            #expect(ran)
            #expect(started.load(ordering: .relaxed) == 2)
            #expect(threads.withLock { $0.count } == 2, "round \(round): both pieces waited for each other on one thread")
        }
    }

    @Test func aCallFromInsideAPieceRunsOnItsOwnThread() {
        let tally = Tally(8 * 5)
        let ran = Self.pool.run(8, helpers: 3) { outer in
            let nested = Self.pool.run(5, helpers: 3) { tally.count(outer * 5 + $0) }
            #expect(!nested)
            if !nested { for inner in 0..<5 { tally.count(outer * 5 + inner) } }
        }
        #expect(ran)
        #expect(tally.all() == Array(repeating: 1, count: 40))
    }

    @Test func nestedAndConcurrentForEachPieceCallsRunEveryPieceOnce() {
        let tally = Tally(6 * 64 * 7)
        DispatchQueue.concurrentPerform(iterations: 6) { caller in
            for call in 0..<64 {
                Parallel.withThreads(4) {
                    Parallel.forEachPiece(7) { piece in
                        Parallel.forEachPiece(3) { inner in
                            if inner == 0 { tally.count((caller * 64 + call) * 7 + piece) }
                        }
                    }
                }
            }
        }
        #expect(tally.all() == Array(repeating: 1, count: tally.size))
    }

    /// How many of the test pool's helper threads there are and the CPU time (clock ticks) they have used, from
    /// `/proc/self/task/*/stat`.
    static func helperTicks() -> (threads: Int, ticks: Int) {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.reduce((0, 0)) { total, task in
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                  comm.hasPrefix("test-pool"),
                  let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")") else { return total }
            let fields = stat[stat.index(after: end)...].split(separator: " ")  // state is field 3, utime 14, stime 15
            return (total.0 + 1, total.1 + (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0))
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task")))
    func idleHelpersParkInsteadOfSpinning() {
        // Helpers name themselves once running; Foundation's `Thread.name` does not always reach the OS thread
        // (it races with `start()`), so the test measures the helpers it finds by name, at least one.
        let started = Date()
        while Self.helperTicks().threads < 3 && Date().timeIntervalSince(started) < 5 { Thread.sleep(forTimeInterval: 0.01) }
        for _ in 0..<100 { _ = Self.pool.run(8, helpers: 3) { _ in } }
        Thread.sleep(forTimeInterval: 0.05)  // past the spin budget
        let before = Self.helperTicks()
        Thread.sleep(forTimeInterval: 0.5)
        let after = Self.helperTicks(), used = after.ticks - before.ticks
        #expect(after.threads >= 1 && after.threads == before.threads)
        #expect(used <= 3, "\(after.threads) idle helpers used \(used) clock ticks in 0.5 s")
    }

    @Test func withoutHelpersTheCallerRunsEveryPieceInOrder() {
        let alone = WorkerPool(helpers: 0)
        let order = Locked<[Int]>([])
        #expect(alone.run(6, helpers: 3) { piece in order.withLock { $0.append(piece) } })
        #expect(order.withLock { $0.sorted() } == Array(0..<6))
        let one = Locked<[Int]>([])
        Parallel.withThreads(1) { Parallel.forEachPiece(5) { piece in one.withLock { $0.append(piece) } } }
        #expect(one.withLock { $0 } == Array(0..<5))
        #expect(alone.run(0, helpers: 1) { _ in Issue.record("no piece to run") })
    }
}
