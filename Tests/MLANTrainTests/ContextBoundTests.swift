import Foundation
import MLANCore
import MLANData
import MLANModel
import Testing
@testable import MLANTrain

/// Token sequences longer than the model's context are refused with both numbers before any forward pass.
@Suite struct ContextBoundTests {
    @Test func stageWhoseMaxLengthExceedsTheContextIsRejectedBeforeTraining() throws {
        let tiny = try TinyLlavaStage()
        defer { tiny.remove() }
        var config = try tiny.config("instruct")
        config.train.maxLength = 100_000
        let error = #expect(throws: TrainError.self) { try StageRunner(config).run() }
        guard case .invalidConfig(let field, let reason)? = error else {
            Issue.record("expected .invalidConfig, got \(String(describing: error))"); return
        }
        #expect(field == "train.max_length" && reason.contains("100000") && reason.contains("512"))
        let checkpoints = URL(fileURLWithPath: config.output).appendingPathComponent("checkpoints")
        #expect(!FileManager.default.fileExists(atPath: checkpoints.path))
    }

    @Test func languageModelLossRefusesRowsLongerThanTheContext() throws {
        var rng = SplitMix64(seed: 3)
        var config = LlamaConfig.tiny
        config.maxPositionEmbeddings = 8
        let model = LlamaForCausalLM(config, rng: &rng)
        let ids = Array(repeating: 1, count: 12)
        let batch = try Collator(padID: 0).collate([Example(id: "long", tokens: TokenizedExample(
            ids: ids, isTarget: ids.map { _ in true }))])
        let error = #expect(throws: ModelError.self) { try model.loss(batch) }
        guard case .sequenceTooLong(12, 8)? = error else {
            Issue.record("expected .sequenceTooLong(12, 8), got \(String(describing: error))"); return
        }
        let bad = try Collator(padID: 0).collate([Example(id: "bad", tokens: TokenizedExample(
            ids: [1, config.vocabSize + 5], isTarget: [true, true]))])
        guard case .tokenOutOfRange(let id, _)? = #expect(throws: ModelError.self, performing: { try model.loss(bad) }) else {
            Issue.record("expected .tokenOutOfRange"); return
        }
        #expect(id == config.vocabSize + 5)
    }
}
