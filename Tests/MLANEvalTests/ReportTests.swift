import Foundation
import MLANCore
import Testing
@testable import MLANEval

struct ReportTests {
    /// A small run over two language tasks and one vision task.
    func report() throws -> EvalReport {
        let tasks = try BuiltinTasks.tasks(named: ["boolq", "arc_easy", "nlvr"], protocol: .lmEval, options: sharedOptions)
        return try runner(FakeScorer(seed: 11), EvalOptions(limit: .count(30), seed: 99, template: "v1")).run(tasks)
    }

    @Test func resultsJSONHasLmEvalsShape() throws {
        let json = try report().json
        #expect(Set(try #require(json.objectValue).keys) == ["results", "groups", "group_subtasks", "configs", "versions", "n-shot",
                                                "higher_is_better", "n-samples", "config"])
        let arc = try #require(json["results"]?["arc_easy"])
        #expect(arc["alias"] == "arc_easy")
        #expect(Set(try #require(arc.objectValue).keys) == ["alias", "acc,none", "acc_stderr,none", "acc_norm,none", "acc_norm_stderr,none"])
        // FakeScorer(seed: 11) scores by a seeded hash of each request, so the accuracies are fixed.
        #expect(arc["acc,none"] == .double(7.0 / 30))
        #expect(arc["acc_norm,none"] == .double(5.0 / 30))
        #expect(json["results"]?["boolq"]?["acc,none"] == .double(15.0 / 30))
        #expect(json["results"]?["nlvr"]?["acc,none"] == .double(15.0 / 30))
        #expect(json["n-samples"]?["boolq"] == ["original": 3270, "effective": 30])
        #expect(json["versions"]?["boolq"] == "2.0")
        #expect(json["configs"]?["boolq"]?["doc_to_text"] == "{title} -- {passage}\nQuestion: {question}?\nAnswer:")
        #expect(json["configs"]?["nlvr"]?["task_cluster"] == "visual_reasoning")
        let config = try #require(json["config"])
        #expect(config["model"] == "fake-scorer(seed: 11)")
        #expect(config["protocol"] == "lm-eval")
        #expect(config["limit"] == "30")
        #expect(config["seed"] == "99")
        #expect(config["template"] == "v1")
        #expect(config["versions"]?["mlan_eval"] == "1.0")
        #expect(config["versions"]?["arc_easy"] == "1.0")
    }

    @Test func groupsAverageThePrimaryMetricsAsThePaperReportsThem() throws {
        let report = try report()
        func accuracy(_ name: String) throws -> Double {
            try #require(report.tasks.first { $0.info.name == name }?.primary).value
        }
        #expect(report.groups.map(\.name) == ["language", "vision", "all"])
        #expect(report.groups[0].tasks == ["boolq", "arc_easy"])
        #expect(abs(report.groups[0].value - (try accuracy("boolq") + accuracy("arc_easy")) / 2) < 1e-12)
        #expect(report.groups[1].value == (try accuracy("nlvr")))
        #expect(abs(report.groups[2].value - (try accuracy("boolq") + accuracy("arc_easy") + accuracy("nlvr")) / 3) < 1e-12)
        let errors = try report.tasks.map { try #require($0.primary?.standardError) }
        let combined = try #require(report.groups[2].standardError)
        #expect(abs(combined - errors.map { $0 * $0 }.reduce(0, +).squareRoot() / 3) < 1e-12)
        #expect(report.json["groups"]?["language"]?["tasks"] == ["boolq", "arc_easy"])
    }

    @Test func writeIsAtomicAndReadsBack() throws {
        let report = try report()
        let file = try temporaryDirectory().appendingPathComponent("out/results.json")
        try report.write(to: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(try JSONValue.parse(text) == report.json)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(leftovers == ["results.json"])
    }

    @Test func markdownTableListsEveryMetricWithItsStderr() throws {
        let markdown = try report().markdown
        let lines = markdown.split(separator: "\n")
        #expect(lines[0].hasPrefix("|Tasks"))
        #expect(lines[1].contains("---:"))
        #expect(lines.contains { $0.hasPrefix("|arc_easy") && $0.contains("|acc ") && $0.contains("±") })
        #expect(lines.contains { $0.contains("|acc_norm") })
        #expect(lines.contains { $0.hasPrefix("|language") })
    }

    @Test func htmlIsStandaloneWithAnInlineBarChart() throws {
        let html = try report().html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(html.components(separatedBy: "<rect ").count - 1 == 6)  // 3 tasks + 3 groups
        #expect(!html.contains("<script") && !html.contains(" src=") && !html.contains("<link"))
        #expect(EvalReport.escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
    }

    @Test func nonFiniteValuesAndMissingStderrAreWrittenAsStrings() throws {
        let info = TaskInfo(name: "t", dataset: "d", taskCluster: "c", modality: .language, protocolName: "custom",
                            metrics: [MetricSpec(.perplexity)], primaryMetric: MetricKey(.perplexity))
        let result = TaskResult(info: info, metrics: [MetricKey(.perplexity): AggregatedMetric(value: .infinity, standardError: nil)],
                                originalCount: 1, effectiveCount: 1)
        let json = EvalReport(tasks: [result], model: "m", options: EvalOptions()).json
        #expect(json["results"]?["t"]?["perplexity,none"] == "inf")
        #expect(json["results"]?["t"]?["perplexity_stderr,none"] == "N/A")
        _ = try json.jsonString()
    }
}
