import Foundation
import MLANData
import Testing
@testable import MLANTrain

/// A resume continues only the run that wrote the checkpoint, and leaves one log record per step.
@Suite struct ResumeCheckTests {
    /// Trains `TrainerTests`' model for the first `steps` of a 6-step run into `run`, checkpointing every step.
    static func trainPart(_ steps: Int, into run: URL) throws {
        let trainer = try Trainer(model: TrainerTests.model(), config: config, examples: TrainerTests.examples(8),
                                  collator: Collator(padID: 0), runDirectory: run)
        trainer.log.printsProgress = false
        try trainer.run(stopAfter: steps)
    }

    static var config: TrainConfig {
        var config = TrainerTests.config(steps: 6)
        (config.checkpointEvery, config.keepCheckpoints, config.logEvery) = (1, 6, 1)
        return config
    }

    @Test func aCheckpointFromOtherExamplesOrSettingsIsRefusedAndTheModelLeftAlone() throws {
        let run = TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        try Self.trainPart(3, into: run)
        var otherRate = Self.config
        otherRate.learningRate *= 2
        for (examples, config) in [(TrainerTests.examples(8, seed: 2), Self.config), (TrainerTests.examples(8), otherRate)] {
            let model = TrainerTests.model()
            let before = model.namedParameters().map { $0.tensor.scalars }
            let trainer = try Trainer(model: model, config: config, examples: examples, collator: Collator(padID: 0),
                                      runDirectory: run)
            trainer.log.printsProgress = false
            #expect {
                try trainer.run()
            } throws: { error in
                guard case TrainError.resumeMismatch(let path, let reason) = error else { return false }
                return path.hasSuffix("step-000003") && reason.contains("other examples or settings")
            }
            #expect(model.namedParameters().map { $0.tensor.scalars } == before)
        }
        // The logging and checkpoint cadence are not the run's substance: changing them still resumes.
        var cadence = Self.config
        (cadence.logEvery, cadence.checkpointEvery, cadence.keepCheckpoints) = (2, 0, 1)
        let trainer = try Trainer(model: TrainerTests.model(), config: cadence, examples: TrainerTests.examples(8),
                                  collator: Collator(padID: 0), runDirectory: run)
        trainer.log.printsProgress = false
        #expect(try trainer.run().efficiency.optimizerSteps == 6)
    }

    @Test func aResumedRunKeepsItsEarlierRecordsAndLogsEachStepOnce() throws {
        let run = TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        try Self.trainPart(3, into: run)
        // Killed after logging step 3 and half of step 4's line, before step 3's checkpoint was complete.
        try FileManager.default.removeItem(at: Checkpointing.directory(step: 3, in: run))
        let logURL = run.appendingPathComponent("train_log.jsonl")
        let handle = try FileHandle(forWritingTo: logURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"step\":4,\"lo".utf8))
        try handle.close()

        let trainer = try Trainer(model: TrainerTests.model(), config: Self.config, examples: TrainerTests.examples(8),
                                  collator: Collator(padID: 0), runDirectory: run)
        trainer.log.printsProgress = false
        var resumedAt: Int?
        let result = try trainer.run { if case .resumed(_, let step) = $0 { resumedAt = step } }
        #expect(resumedAt == 2)
        #expect(result.records.map(\.step) == Array(1...6))
        let logged = try String(contentsOf: logURL, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(StepRecord.self, from: Data($0.utf8)).step
        }
        #expect(logged == Array(1...6))
    }

    @Test func aRunThatStartsOverStartsItsLogOver() throws {
        let run = TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        try Self.trainPart(3, into: run)
        let trainer = try Trainer(model: TrainerTests.model(), config: Self.config, examples: TrainerTests.examples(8),
                                  collator: Collator(padID: 0), runDirectory: run)
        trainer.log.printsProgress = false
        #expect(try trainer.run(resume: false, stopAfter: 2).records.map(\.step) == [1, 2])
        let logged = try String(contentsOf: run.appendingPathComponent("train_log.jsonl"), encoding: .utf8)
        #expect(logged.split(separator: "\n").count == 2)
    }
}
