import Foundation
import MLANCore
import MLANData
import MLANModel
import Testing
@testable import MLANTrain

@Suite struct TrainerTests {
    static func examples(_ n: Int, seed: UInt64 = 1) -> [Example] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { i in
            let length = 6 + Int(rng.next() % 6)
            let ids = (0..<length).map { _ in 3 + Int(rng.next() % 60) }
            let prompt = length / 2
            return Example(id: "ex\(i)", tokens: TokenizedExample(ids: ids, isTarget: ids.indices.map { $0 >= prompt }))
        }
    }

    static func model(seed: UInt64 = 7) -> LlamaForCausalLM {
        var rng = SplitMix64(seed: seed)
        var config = LlamaConfig.tiny
        config.vocabSize = 64
        return LlamaForCausalLM(config, rng: &rng)
    }

    static func config(steps: Int? = nil) -> TrainConfig {
        var c = TrainConfig()
        c.learningRate = 3e-3
        c.globalBatchSize = 4
        c.microBatchSize = 2
        c.epochs = 60
        c.maxSteps = steps
        c.warmupRatio = 0.1
        c.maxLength = 64
        c.groupByModalityLength = true
        c.logEvery = 0
        return c
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mlan-train-\(UUID().uuidString)")
    }

    @Test func trainerOverfitsFourExamples() throws {
        let model = Self.model()
        var config = Self.config()
        config.learningRate = 1e-2
        config.logEvery = 1
        let trainer = try Trainer(model: model, config: config, examples: Self.examples(4),
                                  collator: Collator(padID: 0), runDirectory: nil)
        trainer.log.printsProgress = false
        let result = try trainer.run()
        #expect(result.records.first!.loss > 3)
        #expect(result.finalLoss < 0.05, "final loss \(result.finalLoss)")
        #expect(result.efficiency.optimizerSteps == 60 && result.records.count == 60)
    }

    @Test func everyExampleOfAModalityGroupedEpochIsStepped() throws {
        // 5 image and 3 text examples in micro-batches of 2: the sampler makes 3 + 2 micro-batches (one partial
        // per modality), so an epoch has 3 steps of 2 micro-batches, not the 2 that 8 / 4 would give.
        let examples = Self.examples(8).enumerated().map { i, example in
            var example = example
            if i < 5 { example.images = ["scene-\(i).png"] }
            return example
        }
        var config = Self.config()
        config.epochs = 2
        let trainer = try Trainer(model: Self.model(), config: config, examples: examples,
                                  collator: Collator(padID: 0), runDirectory: nil)
        for epoch in 0..<2 {
            let batches = try trainer.microBatches(epoch: epoch)
            #expect(batches.count == 5)
            #expect(batches.flatMap { $0 }.sorted() == Array(0..<8))
        }
        #expect(trainer.totalSteps == 6)
    }

    @Test func lossIsAveragedOverTheWholeGlobalBatchsSupervisedTokens() throws {
        let model = Self.model()
        let examples = Self.examples(4)
        var config = Self.config(steps: 1)
        config.groupByModalityLength = false
        let trainer = try Trainer(model: model, config: config, examples: examples, collator: Collator(padID: 0), runDirectory: nil)
        trainer.log.printsProgress = false
        // The expected value: one batch with every example, mean over all supervised tokens.
        let all = try Collator(padID: 0).collate(examples)
        let expected = try withoutGradients { try model.loss(all).item }
        let result = try trainer.run()
        #expect(abs(result.records[0].loss - expected) < 1e-5, "\(result.records[0].loss) vs \(expected)")
    }

    @Test func resumingContinuesBitExactly() throws {
        let examples = Self.examples(8)
        var config = Self.config(steps: 6)
        config.checkpointEvery = 3
        config.keepCheckpoints = 1
        let straight = Self.model()
        let a = try Trainer(model: straight, config: config, examples: examples, collator: Collator(padID: 0), runDirectory: nil)
        a.log.printsProgress = false
        try a.run()

        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let first = Self.model()
        let b = try Trainer(model: first, config: config, examples: examples, collator: Collator(padID: 0), runDirectory: run)
        b.log.printsProgress = false
        try b.run(stopAfter: 3)
        let resumedModel = Self.model(seed: 99)  // different initial weights: everything must come from the checkpoint
        let c = try Trainer(model: resumedModel, config: config, examples: examples, collator: Collator(padID: 0), runDirectory: run)
        c.log.printsProgress = false
        let result = try c.run()
        #expect(result.efficiency.optimizerSteps == 6)
        for ((name, x), (_, y)) in zip(straight.namedParameters(), resumedModel.namedParameters()) {
            #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "\(name) differs after resume")
        }
        let kept = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
        #expect(kept == ["step-000006"])
        let log = try String(contentsOf: run.appendingPathComponent("train_log.jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2)  // the last step of each of the two calls
    }

    @Test func nonFiniteLossStopsWithTheLastCheckpointNamed() throws {
        let model = Self.model()
        var config = Self.config(steps: 4)
        config.checkpointEvery = 1
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let trainer = try Trainer(model: model, config: config, examples: Self.examples(4), collator: Collator(padID: 0), runDirectory: run)
        trainer.log.printsProgress = false
        try trainer.run(stopAfter: 2)
        model.model.norm.weight.assignInPlace([Float](repeating: .nan, count: 32))
        #expect {
            try trainer.run(resume: false)
        } throws: { error in
            guard case TrainError.nonFiniteLoss(_, _, let checkpoint) = error else { return false }
            return checkpoint == nil  // resume: false starts over without a previous checkpoint in this call
        }
        #expect(Checkpointing.latest(in: run)?.lastPathComponent == "step-000002")
    }

    @Test func frozenParametersDoNotChange() throws {
        let model = Self.model()
        model.freeze(prefixes: ["model.layers.0.", "model.embed_tokens."])
        let before = model.model.embedTokens.weight.scalars
        let trainer = try Trainer(model: model, config: Self.config(steps: 3), examples: Self.examples(4),
                                  collator: Collator(padID: 0), runDirectory: nil)
        trainer.log.printsProgress = false
        try trainer.run()
        #expect(model.model.embedTokens.weight.scalars == before)
        #expect(trainer.profile.frozenBackpropParameters > 0)
    }

    @Test func configRejectsInconsistentBatchSizes() throws {
        var c = TrainConfig()
        c.globalBatchSize = 10
        c.microBatchSize = 4
        #expect(throws: TrainError.self) { try c.validate() }
        let decoded = try JSONDecoder().decode(TrainConfig.self, from: Data(#"{"learning_rate": 0.001, "global_batch_size": 256, "micro_batch_size": 16}"#.utf8))
        #expect(decoded.learningRate == 0.001 && decoded.accumulationSteps == 16 && decoded.warmupRatio == 0.03)
    }
}
