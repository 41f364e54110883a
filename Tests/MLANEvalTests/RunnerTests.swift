import Foundation
import MLANCore
import MLANTestSupport
import Testing
@testable import MLANEval

/// Records every scorer call, to check batching.
final class RecordingScorer: Scorer, @unchecked Sendable {
    let identity = "recording"
    private let lock = NSLock()
    private(set) var loglikelihoodCalls: [[LoglikelihoodRequest]] = []
    private(set) var generationCalls: [[GenerationRequest]] = []
    var dropLast = false

    func loglikelihood(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResult] {
        lock.withLock { loglikelihoodCalls.append(requests) }
        let results = requests.map { LoglikelihoodResult(logprob: -Double($0.continuation.count), isGreedy: false) }
        return dropLast ? Array(results.dropLast()) : results
    }

    func loglikelihoodRolling(_ prompts: [Prompt]) throws -> [Double] { prompts.map { _ in -1 } }

    func generate(_ requests: [GenerationRequest]) throws -> [String] {
        lock.withLock { generationCalls.append(requests) }
        return requests.map { _ in "yes\" and more\nlines" }
    }
}

struct RunnerTests {
    func task(_ name: String, _ evalProtocol: EvalProtocol = .lmEval) throws -> any EvalTask {
        try BuiltinTasks.task(named: name, protocol: evalProtocol, options: sharedOptions)
    }

    @Test func limitTakesTheFirstDocumentsInFileOrder() throws {
        let logs = try temporaryDirectory()
        let report = try runner(FakeScorer(seed: 3), EvalOptions(limit: .count(7), sampleLogDirectory: logs))
            .run([try task("arc_easy")])
        #expect(report.tasks[0].effectiveCount == 7 && report.tasks[0].originalCount == 2376)
        let lines = try String(contentsOf: logs.appendingPathComponent("samples_arc_easy.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(lines.map { $0["doc_index"]?.intValue } == Array(0..<7))
        let ids = try foundationField("id", of: try foundationJSONLines("arc/ARC-Easy-Test.jsonl").prefix(7), as: String.self)
        #expect(lines.map { $0["doc_id"]?.stringValue } == ids)
    }

    @Test func limitFractionRoundsUpAndLimitBeyondTheSplitTakesEverything() throws {
        #expect(try EvalOptions(limit: .fraction(0.01)).selectedIndices(total: 150) == [0, 1])
        #expect(try EvalOptions(limit: .count(10)).selectedIndices(total: 3) == [0, 1, 2])
        #expect(try EvalOptions.Limit(parsing: "0.25") == .fraction(0.25))
        #expect(try EvalOptions.Limit(parsing: "12") == .count(12))
        #expect(throws: EvalError.self) { try EvalOptions.Limit(parsing: "1.5") }
        #expect(throws: EvalError.self) { try EvalOptions.Limit(parsing: "-3") }
    }

    @Test func sampleIsASeededSubsetKeptInFileOrder() throws {
        let first = try EvalOptions(sampleSize: 20, seed: 7).selectedIndices(total: 1000)
        #expect(first == (try EvalOptions(sampleSize: 20, seed: 7).selectedIndices(total: 1000)))
        #expect(first != (try EvalOptions(sampleSize: 20, seed: 8).selectedIndices(total: 1000)))
        #expect(first == first.sorted() && Set(first).count == 20 && first.allSatisfy { (0..<1000).contains($0) })
        #expect(try EvalOptions(sampleSize: 50, seed: 1).selectedIndices(total: 10) == Array(0..<10))
    }

    @Test func limitAndSampleTogetherAreRefused() {
        #expect(throws: EvalError.invalidOptions("--limit and --sample are mutually exclusive")) {
            try EvalOptions(limit: .count(5), sampleSize: 5).selectedIndices(total: 10)
        }
    }

    @Test func aDocumentsChoicesArriveTogetherAndShareOneContext() throws {
        let scorer = RecordingScorer()
        _ = try runner(scorer, EvalOptions(limit: .count(10), batchSize: 4)).run([try task("hellaswag")])
        #expect(scorer.loglikelihoodCalls.map(\.count) == [16, 16, 8])
        for call in scorer.loglikelihoodCalls {
            let groups = LoglikelihoodRequest.groupedByContext(call)
            #expect(groups.count == call.count / 4)
            #expect(groups.allSatisfy { $0.indices.count == 4 && $0.indices == Array($0.indices[0]..<$0.indices[0] + 4) })
        }
    }

    @Test func generationsAreCutAtStopStringsBeforeFiltering() throws {
        let scorer = RecordingScorer()
        let logs = try temporaryDirectory()
        let report = try runner(scorer, EvalOptions(limit: .count(3), sampleLogDirectory: logs)).run([try task("boolq", .mlan)])
        #expect(scorer.generationCalls.flatMap { $0 }.allSatisfy { $0.until == ["\"", "\n"] })
        let line = try JSONValue.parse(String(try String(contentsOf: logs.appendingPathComponent("samples_boolq.jsonl"),
                                                         encoding: .utf8).split(separator: "\n")[0]))
        #expect(line["response"] == "yes")
        #expect(line["filtered"]?["mlan-yesno"] == "yes")
        let answers = try foundationField("answer", of: try foundationJSONLines("boolq/dev.jsonl").prefix(3), as: Bool.self)
        let expected = Double(answers.filter { $0 }.count) / 3
        #expect(report.tasks[0].metrics[MetricKey(.exactMatch, filter: "mlan-yesno")]?.value == expected)
    }

    @Test func scorerReturningTooFewResultsIsAnError() throws {
        let scorer = RecordingScorer()
        scorer.dropLast = true
        #expect(throws: EvalError.scorerResultCount(kind: "loglikelihood", expected: 16, received: 15)) {
            try runner(scorer, EvalOptions(limit: .count(4))).run([try task("openbookqa")])
        }
    }

    @Test func scienceqaUnderTheMlanProtocolScoresExtractedLetters() throws {
        // Always answering B: exact match is the share of gold B among the first 40 image questions.
        let scorer = FakeScorer(generate: { _ in "B\". Because of the figure." })
        let report = try runner(scorer, EvalOptions(limit: .count(40))).run([try task("scienceqa_img", .mlan)])
        let records = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: SharedPaths.dataFile("scienceqa/llava_test_CQM-A.json"))) as? [[String: Any]])
        let conversations = try foundationField("conversations", of: records.filter { $0["image"] != nil }.prefix(40),
                                                as: [[String: Any]].self)
        let golds = try foundationField("value", of: conversations.map { $0[1] }, as: String.self)
        let expected = Double(golds.filter { $0 == "B" }.count) / 40
        let result = try #require(report.tasks[0].metrics[MetricKey(.exactMatch, filter: "mlan-choice")])
        #expect(result.value == expected)
        #expect(result.standardError == Statistics.meanStandardError(golds.map { $0 == "B" ? 1 : 0 }))
    }

    @Test func progressLinesReportRateAndETA() {
        #expect(ProgressReporter.line(task: "boolq", done: 120, total: 3270, elapsed: 10)
                == "boolq 120/3270 (3.7%) 12.0 docs/s ETA 4m23s")
        #expect(ProgressReporter.line(task: "race", done: 5, total: 5, elapsed: 3725) == "race 5/5 (100.0%) 0.00 docs/s in 1h02m")
        #expect(ProgressReporter.line(task: "nlvr", done: 0, total: 990, elapsed: 0) == "nlvr 0/990 (0.0%)")
    }

    @Test func progressInLineModeWritesPlainLinesToItsSink() throws {
        final class Sink: @unchecked Sendable { var text = "" }
        let sink = Sink()
        var clock = 0.0
        let progress = ProgressReporter(mode: .lines, interval: 10, write: { sink.text += $0 }, now: {
            clock += 4
            return clock
        })
        _ = try EvalRunner(scorer: FakeScorer(), options: EvalOptions(limit: .count(6), batchSize: 1), progress: progress)
            .run([try task("openbookqa")])
        let lines = sink.text.split(separator: "\n")
        #expect(lines.first == "openbookqa 0/6 (0.0%)")
        #expect(lines.last?.hasPrefix("openbookqa 6/6 (100.0%)") == true)
        #expect(!sink.text.contains("\r"))
        #expect(lines.count < 8)
    }
}
