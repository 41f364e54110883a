import Foundation
import MLANCore

/// A training step with 1 and with N threads, alone and with a busy-loop process competing for the cores.
///
/// `mlan-bench contention:L` (any `train` case; L by default). Each measurement is a child `mlan-bench step:NAME`
/// with `MLAN_THREADS` set, so every variant starts from the same state; thread counts and the competitor
/// alternate round by round, so all variants see the same machine load.
enum ContentionBenchmarks {
    static func run() {
        let picked = CommandLine.arguments.filter { $0.hasPrefix("contention:") }.map { String($0.dropFirst(11)) }
        let names = picked.isEmpty ? ["L"] : picked
        let threads = [1, Swift.max(2, ProcessInfo.processInfo.activeProcessorCount)]
        let rounds = 2
        print("Training step with 1 and \(threads[1]) threads, alone and beside a busy-loop process "
            + "(child runs of `mlan-bench step:NAME`, alternating; ms per step, each run's steps listed)")
        for name in names {
            var results: [String: [Double]] = [:]
            for _ in 0..<rounds {
                for busy in [false, true] {
                    let competitor = busy ? startBusyLoop() : nil
                    for n in threads {
                        let steps = childSteps(name, threads: n)
                        results["\(busy) \(n)", default: []] += steps
                        print("  \(name) \(busy ? "busy" : "alone") \(n) thread(s): "
                            + steps.map { format($0, 1) }.joined(separator: ", "))
                    }
                    competitor?.terminate()
                    competitor?.waitUntilExit()
                }
            }
            print(cell(name, 9) + cell("threads", 9) + cell("alone: median", 15) + cell("busy: median", 14) + "busy: best")
            for n in threads {
                let alone = Timings(results["false \(n)"] ?? [.nan]), busy = Timings(results["true \(n)"] ?? [.nan])
                print(cell("", 9) + cell("\(n)", 9) + cell(format(alone.median, 1), 15) + cell(format(busy.median, 1), 14)
                    + format(busy.best, 1))
            }
        }
        print("")
    }

    /// Step times (ms) printed by a child `mlan-bench step:NAME` run with `MLAN_THREADS=threads`.
    static func childSteps(_ name: String, threads: Int) -> [Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["step:\(name)"]
        var environment = ProcessInfo.processInfo.environment
        environment["MLAN_THREADS"] = "\(threads)"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return [] }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("step \(name) ") }) else { return [] }
        return line.split(separator: " ").dropFirst(3).compactMap { Double($0) }
    }

    /// A child `mlan-bench busy-loop`: one thread spinning until terminated.
    static func startBusyLoop() -> Process? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["busy-loop"]
        do { try process.run() } catch { return nil }
        return process
    }

    /// Spins on one core until the parent process goes away (or the process is terminated).
    static func busyLoop() -> Never {
        let parent = getppid()
        var counter: UInt64 = 0
        while true {
            counter &+= 1
            if counter & 0xFF_FFFF == 0, getppid() != parent { exit(0) }
        }
    }
}
