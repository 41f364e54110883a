import Foundation
import MLANTestSupport
import Testing

/// A training run of many steps and an evaluation of many documents keep a flat memory profile: after a warm-up,
/// resident memory does not grow with steps or documents.
///
/// Each workload runs in its own child process (`mlan-bench memory:train-quick`, `memory:eval-quick`; see
/// `Benchmarks/MemoryBenchmarks.swift`), so the other tests running in this process cannot move the figures. The
/// training run is 300 steps of a tiny Llama with the real `Trainer` (checkpoints every 50) over 64 Alpaca
/// examples, 16 steps an epoch: the warm-up (the first 50 steps) has seen every batch shape the rest of the run
/// can make. The evaluation is one run over the first 100 HellaSwag documents four times; the first round is the
/// warm-up.
@Suite struct FlatMemoryTests {
    /// Growth allowed after the warm-up, in MiB. The measured runs grow by under 0.1 MiB (Docs/RELIABILITY.md); the
    /// rest covers the heap settling differently on another machine or allocator. A leak of 20 KiB per step (250
    /// steps after the warm-up) or 16 KiB per document (300 documents) exceeds it; so does keeping one batch's
    /// logits (4 × 128 × 384 floats, 0.75 MiB) every 50 steps.
    static let slackMiB = 4.0

    /// One sample: steps or documents done, resident MiB now, peak resident MiB.
    struct Sample {
        let count: Int, current: Double, peak: Double
    }

    static func measure(_ workload: String, kind: String, leakKiB: Int = 0) throws -> [Sample] {
        let bench = try #require(ProcessRun.builtExecutable("mlan-bench"), "mlan-bench is built by swift build --build-tests")
        let run = try ProcessRun.run(bench, ["memory:\(workload)"], environment: [
            "MLAN_SHARED": SharedPaths.shared.path, "MLAN_MEMORY_LEAK_KIB": leakKiB > 0 ? String(leakKiB) : nil,
        ])
        #expect(run.status == 0, "mlan-bench memory:\(workload) failed:\n\(run.stdout)\n\(run.stderr)")
        return run.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, fields[0] == "memory", fields[1] == Substring(kind), let count = Int(fields[2]),
                  let current = Double(fields[3]), let peak = Double(fields[4]) else { return nil }
            return Sample(count: count, current: current, peak: peak)
        }
    }

    /// The growth of the resident memory and of its peak after `warmUp` (MiB), checking the run finished.
    static func growth(_ samples: [Sample], warmUp: Int, last: Int, _ label: String) throws -> (current: Double, peak: Double) {
        let after = samples.filter { $0.count >= warmUp }
        let first = try #require(after.first, "\(label): no sample after the warm-up")
        #expect(samples.last?.count == last, "\(label): the run stopped at \(samples.last?.count ?? 0)")
        #expect(first.current > 1, "\(label): implausible resident memory \(first.current) MiB")
        return ((after.map(\.current).max() ?? 0) - first.current, after.last!.peak - first.peak)
    }

    /// Checks that neither the resident memory nor its peak grows by more than the slack after `warmUp`.
    static func expectFlat(_ samples: [Sample], warmUp: Int, last: Int, _ label: String) throws {
        let (current, peak) = try growth(samples, warmUp: warmUp, last: last, label)
        #expect(current <= slackMiB, "\(label): resident memory grew by \(current) MiB after the warm-up")
        #expect(peak <= slackMiB, "\(label): peak resident memory grew by \(peak) MiB after the warm-up")
    }

    @Test func trainingStepsKeepAFlatProfile() throws {
        let samples = try Self.measure("train-quick", kind: "train")
        try Self.expectFlat(samples, warmUp: 50, last: 300, "300 training steps")
    }

    /// The check catches a leak: the same run keeping 32 KiB more per step grows by ~8 MiB after the warm-up.
    @Test func aLeakOfThirtyTwoKiBPerStepIsCaught() throws {
        let samples = try Self.measure("train-quick", kind: "train", leakKiB: 32)
        let (current, peak) = try Self.growth(samples, warmUp: 50, last: 300, "300 leaking training steps")
        #expect(current > Self.slackMiB && peak > Self.slackMiB, "grew by only \(current) MiB (peak \(peak) MiB)")
    }

    @Test func evaluatedDocumentsKeepAFlatProfile() throws {
        let samples = try Self.measure("eval-quick", kind: "eval")
        try Self.expectFlat(samples, warmUp: 100, last: 400, "100 HellaSwag documents four times")
    }
}
