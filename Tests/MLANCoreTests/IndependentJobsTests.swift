import Foundation
import Synchronization
import Testing
@testable import MLANCore

/// Jobs side by side (one thread each) compute what they compute alone, and the lowest-numbered error wins.
/// `make sanitize` runs this suite under ThreadSanitizer, with the jobs driving the parallel kernels.
@Suite struct IndependentJobsTests {
    struct Failure: Error, Equatable { let index: Int }

    /// A small training-like workload of job `index`: GEMMs (tiled), elementwise ops, a softmax and a backward pass.
    static func work(_ index: Int) -> [Float] {
        var rng = SplitMix64(seed: UInt64(index) + 1)
        let a = Tensor.normal([48, 40], std: 1, using: &rng).requiringGradient()
        let b = Tensor.normal([40, 72], std: 1, using: &rng)
        let loss = (a.matmul(b).softmax(axis: -1) * 3 + 1).sum()
        loss.backward()
        return loss.scalars + (a.grad?.scalars ?? [])
    }

    @Test func jobsSideBySideComputeWhatTheyComputeAlone() throws {
        let alone = (0..<6).map { Self.work($0) }
        let results = Mutex<[Int: [Float]]>([:])
        try IndependentJobs.run(count: 6, workers: 3) { index in
            let result = Self.work(index)
            results.withLock { $0[index] = result }
        }
        let together = results.withLock { $0 }
        for index in 0..<6 { #expect(together[index] == alone[index], "job \(index)") }
    }

    @Test func theLowestNumberedErrorIsThrownAfterEveryJobFinished() {
        let finished = Atomic<Int>(0)
        #expect(throws: Failure(index: 2)) {
            try IndependentJobs.run(count: 8, workers: 2) { index in
                defer { finished.add(1, ordering: .relaxed) }
                if index == 5 || index == 2 { throw Failure(index: index) }
                _ = Self.work(index)
            }
        }
        #expect(finished.load(ordering: .relaxed) == 8)
    }
}
