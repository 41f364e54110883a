import Foundation
import MLANCore
import MLANData
import MLANModel
import Testing
@testable import MLANTrain

@Suite struct TrainerStepTests {
    static func trainer(_ model: LlamaForCausalLM, steps: Int, runDirectory: URL? = nil,
                        checkpointEvery: Int = 0) throws -> Trainer {
        var config = TrainerTests.config(steps: steps)
        config.checkpointEvery = checkpointEvery
        let trainer = try Trainer(model: model, config: config, examples: TrainerTests.examples(8),
                                  collator: Collator(padID: 0), runDirectory: runDirectory)
        trainer.log.printsProgress = false
        return trainer
    }

    @Test func aLoopOverStepReproducesRun() throws {
        let viaRun = TrainerTests.model(), viaSteps = TrainerTests.model()
        let a = try Self.trainer(viaRun, steps: 5)
        let result = try a.run()
        // The same five global batches by hand: 8 examples, micro-batches of 2, 2 per step → 2 steps per epoch.
        let b = try Self.trainer(viaSteps, steps: 5)
        var losses: [Float] = []
        for index in 0..<5 {
            let epoch = index / 2, batches = try b.microBatches(epoch: epoch)
            let group = batches[(index % 2) * 2..<(index % 2) * 2 + 2]
            losses.append(try b.step(group.map { try b.collator.collate($0.map { b.examples[$0] }) }, index: index).loss)
        }
        #expect(losses.last == result.finalLoss)
        for ((name, x), (_, y)) in zip(viaRun.namedParameters(), viaSteps.namedParameters()) {
            #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "\(name) differs")
        }
    }

    @Test func stepReportsItsRateNormAndUsage() throws {
        let trainer = try Self.trainer(TrainerTests.model(), steps: 10)
        let examples = Array(trainer.examples.prefix(4))
        let batches = try [trainer.collator.collate(Array(examples[0..<2])), trainer.collator.collate(Array(examples[2..<4]))]
        let outcome = try trainer.step(batches, index: 3)
        let schedule = LearningRateSchedule(.cosine, peak: 3e-3, totalSteps: 10, warmupRatio: 0.1)
        #expect(outcome.index == 3 && outcome.learningRate == schedule.learningRate(at: 3))
        #expect(outcome.loss.isFinite && outcome.loss > 0 && outcome.gradNorm > 0)
        let tokens = examples.reduce(0) { $0 + $1.tokens.ids.count }
        let targets = examples.reduce(0) { $0 + $1.tokens.supervisedTargetCount }
        #expect(outcome.usage.examples == 4 && outcome.usage.textTokens == tokens && outcome.usage.imageTokens == 0)
        #expect(outcome.usage.supervisedTokens == targets && outcome.usage.optimizerSteps == 1 && outcome.positions == tokens)
        #expect(outcome.usage.flops == 6 * Double(trainer.model.parameterCount) * Double(tokens))
    }

    @Test func aMicroBatchWithoutTargetsIsSkippedNotAveragedIn() throws {
        let trainer = try Self.trainer(TrainerTests.model(), steps: 10)
        var silent = trainer.examples[1]
        silent.tokens.isTarget = silent.tokens.isTarget.map { _ in false }
        let counted = try trainer.collator.collate([trainer.examples[0]])
        let expected = try withoutGradients { try trainer.model.loss(counted).item }
        let outcome = try trainer.step([counted, try trainer.collator.collate([silent])], index: 0)
        #expect(outcome.loss == expected)  // the mean over the one batch with targets, weight 1
        #expect(outcome.usage.examples == 2 && outcome.usage.supervisedTokens == counted.supervisedTargetCount)
    }

    @Test func runReportsResumeStepsAndCheckpointsInOrder() throws {
        let run = TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        var first: [TrainEvent] = []
        try Self.trainer(TrainerTests.model(), steps: 4, runDirectory: run, checkpointEvery: 2).run(stopAfter: 3) { first.append($0) }
        let checkpoints = run.appendingPathComponent("checkpoints")
        func steps(_ events: [TrainEvent]) -> [String] {
            events.map {
                switch $0 {
                case .resumed(let url, let step): "resumed \(url.lastPathComponent) \(step)"
                case .step(let s, let epoch): "step \(s.index) epoch \(epoch)"
                case .checkpointSaved(let url, let step): "saved \(url.lastPathComponent) \(step)"
                }
            }
        }
        // 8 examples, 2 steps per epoch; checkpoints every 2 steps and at the call's last step.
        #expect(steps(first) == ["step 0 epoch 0", "step 1 epoch 0", "saved step-000002 2", "step 2 epoch 1",
                                 "saved step-000003 3"])
        var second: [TrainEvent] = []
        try Self.trainer(TrainerTests.model(), steps: 4, runDirectory: run, checkpointEvery: 2).run { second.append($0) }
        #expect(steps(second) == ["resumed step-000003 3", "step 3 epoch 1", "saved step-000004 4"])
        #expect(FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("step-000004").path))
    }
}
