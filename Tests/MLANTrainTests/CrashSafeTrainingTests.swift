import Foundation
import MLANCore
import MLANTestSupport
import Testing
@testable import MLANTrain

/// `mlan train` killed with SIGKILL at seeded random moments — mid-step and mid-checkpoint-write — resumes each
/// time from its newest complete checkpoint (which always verifies) and ends bit-identical to a run that was never
/// interrupted; a checkpoint write that fails (file size limit: the write gets EFBIG as on a full disk) stops the
/// run with the reason and leaves the previous checkpoint usable.
@Suite(.serialized, .timeLimit(.minutes(10))) struct CrashSafeTrainingTests {
    /// A tiny LLaVA instruct stage of 10 optimizer steps, checkpointed after every step.
    struct Run {
        let tiny: TinyLlavaStage
        let mlan: URL

        init() throws {
            tiny = try TinyLlavaStage()
            mlan = try #require(ProcessRun.builtExecutable("mlan"), "mlan is built by swift build --build-tests")
        }

        func output(_ name: String) -> URL { tiny.root.appendingPathComponent(name) }

        /// Writes the stage config for output folder `name` and returns its path.
        func config(_ name: String) throws -> String {
            let json = """
            {"stage": "instruct", "output": "\(output(name).path)",
             "model": {"llava": "\(tiny.root.appendingPathComponent("model").path)"},
             "data": [{"file": "\(tiny.root.appendingPathComponent("instruct.json").path)", "dataset": "tiny", "task_cluster": "colour"}],
             "image_root": "\(tiny.root.path)",
             "train": {"learning_rate": 0.003, "global_batch_size": 1, "micro_batch_size": 1, "max_length": 512,
                       "epochs": 5, "group_by_modality_length": false, "log_every": 1, "checkpoint_every": 1,
                       "keep_checkpoints": 2, "seed": 7}}
            """
            let url = tiny.root.appendingPathComponent("\(name).json")
            try Data(json.utf8).write(to: url)
            return url.path
        }

        /// Starts `mlan train` on config `name` (under `/bin/sh -c` with `shellPrefix` when given).
        func start(_ name: String, shellPrefix: String? = nil, stderr: URL? = nil) throws -> Process {
            let process = Process()
            let arguments = ["train", "--config", try config(name)]
            if let shellPrefix {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", shellPrefix + " exec \"$0\" \"$@\"", mlan.path] + arguments
            } else {
                process.executableURL = mlan
                process.arguments = arguments
            }
            var environment = ProcessInfo.processInfo.environment
            environment["SWIFT_BACKTRACE"] = "enable=no"
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            if let stderr {
                FileManager.default.createFile(atPath: stderr.path, contents: nil)
                process.standardError = try FileHandle(forWritingTo: stderr)
            } else {
                process.standardError = FileHandle.nullDevice
            }
            try process.run()
            return process
        }

        /// The final weights a finished run saved.
        func finalWeights(_ name: String) throws -> [String: Tensor] {
            try SafetensorsFile.load(from: output(name).appendingPathComponent("model/model.safetensors")).tensors()
        }

        /// Whether any checkpoint folder of run `name` holds a temporary file (a write in progress).
        func isWritingCheckpoint(_ name: String) -> Bool {
            let folder = output(name).appendingPathComponent("checkpoints")
            let steps = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return steps.contains { step in
                let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(step).path)) ?? []
                return files.contains { $0.contains(".tmp-") }
            }
        }

        /// The newest complete checkpoint of run `name` loads and verifies (sizes and SHA-256); returns its step.
        func verifiedLatestStep(_ name: String) throws -> Int? {
            guard let latest = Checkpointing.latest(in: output(name)) else { return nil }
            return try Checkpoint.load(from: latest).step
        }
    }

    /// Waits for `process` to exit within `seconds`, polling `condition` every 0.5 ms; SIGKILLs it as soon as
    /// the condition holds. Returns whether it was killed.
    static func kill(_ process: Process, within seconds: Double, when condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline {
            if condition() {
                Foundation.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return process.terminationReason == .uncaughtSignal
            }
            usleep(500)
        }
        process.waitUntilExit()
        return false
    }

    /// The tiny stage, the final weights of its uninterrupted run and that run's wall-clock length, made once for
    /// both tests (the suite is serialized); its folder is removed when the process exits.
    nonisolated(unsafe) static var cached: (run: Run, weights: [String: Tensor], seconds: Double)?

    static func reference() throws -> (run: Run, weights: [String: Tensor], seconds: Double) {
        if let cached { return cached }
        let run = try Run()
        atexit { if let root = CrashSafeTrainingTests.cached?.run.tiny.root { try? FileManager.default.removeItem(at: root) } }
        let begin = Date()
        let process = try run.start("reference")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let made = (run, try run.finalWeights("reference"), Date().timeIntervalSince(begin))
        cached = made
        return made
    }

    @Test func killedAtRandomMomentsTrainingResumesToBitIdenticalWeights() throws {
        let (run, expected, duration) = try Self.reference()

        var rng = SplitMix64(seed: 16)
        var kills = (duringStep: 0, duringWrite: 0), finished = false
        for attempt in 0..<40 where !finished {
            let before = Checkpointing.latest(in: run.output("killed"))?.lastPathComponent
            let process = try run.start("killed")
            let killed: Bool
            // Three kills at random moments, then kills during checkpoint writes until three have landed (each needs
            // a step of progress, so they come before the run can finish, even on a loaded machine), then both in turn.
            if attempt < 3 || (kills.duringWrite >= 3 && attempt % 2 == 1) {  // a seeded moment in a run's first quarter
                let at = Date().addingTimeInterval(Double(rng.next() % 1000) / 4000 * duration)
                killed = Self.kill(process, within: duration * 3) { Date() >= at }
                if killed { kills.duringStep += 1 }
            } else {  // while a checkpoint file is being written, once this run has saved one (so runs progress)
                killed = Self.kill(process, within: duration * 3) {
                    run.isWritingCheckpoint("killed")
                        && Checkpointing.latest(in: run.output("killed"))?.lastPathComponent != before
                }
                if killed { kills.duringWrite += 1 }
            }
            if !killed {
                #expect(process.terminationStatus == 0, "attempt \(attempt) failed without being killed")
                finished = process.terminationStatus == 0
            }
            _ = try run.verifiedLatestStep("killed")  // throws if the newest complete checkpoint is corrupt
        }
        #expect(finished && kills.duringStep >= 3 && kills.duringWrite >= 3, "\(kills), finished: \(finished)")
        print("crash-safe training: \(kills.duringStep) kills at random moments, \(kills.duringWrite) during checkpoint writes")
        let actual = try run.finalWeights("killed")
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (name, tensor) in expected {
            #expect(actual[name]?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name) differs")
        }
    }

    @Test func failedCheckpointWriteStopsWithTheReasonAndKeepsThePreviousCheckpoint() throws {
        let (run, expected, _) = try Self.reference()

        // Stop a run once it has two complete checkpoints.
        let first = try run.start("full")
        _ = Self.kill(first, within: 120) { (try? run.verifiedLatestStep("full")).flatMap { $0 }.map { $0 >= 2 } ?? false }
        let previous = try #require(try run.verifiedLatestStep("full"))
        #expect(previous < 10)

        // Resume under a file size limit below one tensor file: the next checkpoint write fails with EFBIG.
        let folder = try #require(Checkpointing.latest(in: run.output("full")))
        let tensorFile = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .first { $0.hasPrefix("model-") })
        let size = try #require(try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(tensorFile).path)[.size] as? Int)
        let log = run.tiny.root.appendingPathComponent("limited.stderr")
        let limited = try run.start("full", shellPrefix: "ulimit -f \(size / 2048); trap '' XFSZ;", stderr: log)
        limited.waitUntilExit()
        let message = try String(contentsOf: log, encoding: .utf8)
        #expect(limited.terminationStatus != 0)
        #expect(message.contains("File too large") && message.contains("checkpoints/step-"), "\(message)")
        #expect(!message.contains("Fatal error") && message.split(separator: "\n").count <= 3, "\(message)")
        #expect(try run.verifiedLatestStep("full") == previous)
        let failedStep = Checkpointing.directory(step: previous + 1, in: run.output("full"))
        #expect(!Checkpoint.exists(at: failedStep))
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: failedStep.path)) ?? []
        #expect(!leftovers.contains { $0.contains(".tmp-\(limited.processIdentifier)-") }, "\(leftovers)")

        // Without the limit the run resumes from that checkpoint and ends where the uninterrupted one did.
        let resumed = try run.start("full")
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0)
        let actual = try run.finalWeights("full")
        let checkpoints = run.output("full").appendingPathComponent("checkpoints")
        let files = FileManager.default.enumerator(atPath: checkpoints.path)?.compactMap { $0 as? String } ?? []
        #expect(!files.contains { $0.contains(".tmp-") }, "temporary files left: \(files)")
        for (name, tensor) in expected {
            #expect(actual[name]?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name) differs")
        }
    }
}
