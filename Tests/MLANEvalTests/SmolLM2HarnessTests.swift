import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTestSupport
import Testing
@testable import MLANEval

/// The harness driving the real SmolLM2-135M-Instruct adapter on a few real documents, under both protocols.
@Suite(.serialized) struct SmolLM2HarnessTests {
    static func scorer(template: String?) throws -> LanguageModelScorer {
        let loaded = try LanguageModelLoader.load(from: try SharedPaths.smolLM2())
        return LanguageModelScorer(model: loaded.model, tokenizer: loaded.tokenizer,
                                   template: try template.map { try BuiltinTemplates.named($0) },
                                   identity: "SmolLM2-135M-Instruct \(template ?? "raw")")
    }

    @Test func lmEvalProtocolScoresEveryChoiceOfRealDocuments() throws {
        let logs = try temporaryDirectory()
        let task = try BuiltinTasks.task(named: "arc_easy", protocol: .lmEval, options: sharedOptions)
        let report = try runner(try Self.scorer(template: nil), EvalOptions(limit: .count(4), sampleLogDirectory: logs))
            .run([task])
        let acc = try #require(report.tasks[0].metrics[MetricKey(.acc)])
        let samples = try String(contentsOf: logs.appendingPathComponent("samples_arc_easy.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(samples.count == 4)
        for sample in samples {
            let logprobs = try #require(sample["logprobs"]?.arrayValue)
            #expect(logprobs.count == 4 && logprobs.allSatisfy { ($0.doubleValue ?? 0) < 0 })
        }
        // The model's picks on the first four test questions, measured with this model (deterministic).
        let predicted = try samples.map { try #require($0["predicted"]?.intValue) }
        #expect(predicted == [0, 0, 3, 3])
        let correct = try samples.map { sample -> Double in
            let targets = try #require(sample["target"]?.arrayValue)
            let gold = targets.compactMap { $0.intValue }
            let pick = try #require(sample["predicted"]?.intValue)
            return gold.contains(pick) ? 1 : 0
        }
        #expect(acc.value == Statistics.mean(correct))
        #expect(acc.standardError == Statistics.meanStandardError(correct))
    }

    @Test func mlanProtocolGeneratesWithTheChatTemplateAndExtractsAnswers() throws {
        let logs = try temporaryDirectory()
        let task = try BuiltinTasks.task(named: "arc_easy", protocol: .mlan, options: sharedOptions)
        let report = try runner(try Self.scorer(template: "chatml"), EvalOptions(limit: .count(2), sampleLogDirectory: logs))
            .run([task])
        #expect(report.tasks[0].metrics[MetricKey(.exactMatch, filter: "mlan-choice")] != nil)
        let first = try JSONValue.parse(String(try String(
            contentsOf: logs.appendingPathComponent("samples_arc_easy.jsonl"), encoding: .utf8).split(separator: "\n")[0]))
        let response = try #require(first["response"]?.stringValue)
        #expect(!response.contains("\"") && !response.contains("\n"))  // cut at the stop strings
        // The letter extracted for the first question, measured with this model and the chatml template.
        #expect(first["filtered"]?["mlan-choice"] == "C")
    }
}
