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
    /// Growth allowed after the warm-up, in MiB. A leak of one small tensor per step (the tiny model's logits,
    /// 4 × 128 × 384 floats = 0.75 MiB) exceeds it within a dozen steps; a leaked buffer per document within 16
    /// documents. Below it: the heap settling (glibc fills earlier holes and grows its free lists as allocation
    /// sizes vary), which the measured runs show as at most ~1 MiB (Docs/RELIABILITY.md).
    static let slackMiB = 4.0

    /// One sample: steps or documents done, resident MiB now, peak resident MiB.
    struct Sample {
        let count: Int, current: Double, peak: Double
    }

    static func measure(_ workload: String, kind: String) throws -> [Sample] {
        let bench = try #require(ProcessRun.builtExecutable("mlan-bench"), "mlan-bench is built by swift build --build-tests")
        let run = try ProcessRun.run(bench, ["memory:\(workload)"], environment: ["MLAN_SHARED": SharedPaths.shared.path])
        #expect(run.status == 0, "mlan-bench memory:\(workload) failed:\n\(run.stdout)\n\(run.stderr)")
        return run.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, fields[0] == "memory", fields[1] == Substring(kind), let count = Int(fields[2]),
                  let current = Double(fields[3]), let peak = Double(fields[4]) else { return nil }
            return Sample(count: count, current: current, peak: peak)
        }
    }

    /// Checks that neither the resident memory nor its peak grows by more than the slack after `warmUp`.
    static func expectFlat(_ samples: [Sample], warmUp: Int, last: Int, _ label: String) throws {
        let after = samples.filter { $0.count >= warmUp }
        let first = try #require(after.first, "\(label): no sample after the warm-up")
        #expect(samples.last?.count == last, "\(label): the run stopped at \(samples.last?.count ?? 0)")
        let highest = after.map(\.current).max() ?? 0
        #expect(highest - first.current <= slackMiB,
                "\(label): resident memory grew from \(first.current) MiB to \(highest) MiB after the warm-up")
        #expect(after.last!.peak - first.peak <= slackMiB,
                "\(label): peak resident memory grew from \(first.peak) MiB to \(after.last!.peak) MiB after the warm-up")
        #expect(first.current > 1, "\(label): implausible resident memory \(first.current) MiB")
    }

    @Test func trainingStepsKeepAFlatProfile() throws {
        let samples = try Self.measure("train-quick", kind: "train")
        try Self.expectFlat(samples, warmUp: 50, last: 300, "300 training steps")
    }

    @Test func evaluatedDocumentsKeepAFlatProfile() throws {
        let samples = try Self.measure("eval-quick", kind: "eval")
        try Self.expectFlat(samples, warmUp: 100, last: 400, "100 HellaSwag documents four times")
    }
}
