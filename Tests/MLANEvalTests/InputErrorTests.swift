import Foundation
import MLANCore
import Testing
@testable import MLANEval

/// What a task file, a custom task or a scorer can get wrong is a typed error, never a trap.
struct InputErrorTests {
    @Test(arguments: [
        (Metric.acc, MetricItem.logprob(-1), "value", "logprob"),
        (.perplexity, .value(1), "logprob", "value"),
        (.bitsPerByte, .prediction(predicted: "yes", gold: "no"), "weighted", "prediction"),
        (.f1, .weighted(logprob: -1, units: 2), "prediction", "weighted"),
    ])
    func aggregatingItemsOfAnotherKindThrows(metric: Metric, item: MetricItem, expected: String, received: String) {
        #expect(throws: EvalError.metricItemMismatch(metric: metric.rawValue, expected: expected, received: received)) {
            try Aggregation.aggregate(metric, items: [item, item], bootstrapIterations: 10, seed: 0)
        }
    }

    /// A filter step from a task file, parsed where `filter_list.0.filter.0` stands.
    func step(_ json: String) throws -> FilterStepSpec {
        try FilterStepSpec(json: try JSONValue.parse(json), source: "t.json", field: "filter_list.0.filter.0")
    }

    @Test(arguments: [
        (#"{"function": "regex"}"#, "filter_list.0.filter.0.regex_pattern", "is required"),
        (#"{"function": "regex", "regex_pattern": "a", "group_select": "last"}"#,
         "filter_list.0.filter.0.group_select", "expected an integer, found string"),
        (#"{"function": "regex", "regex_pattern": "a", "pattern": "b"}"#, "filter_list.0.filter.0.pattern",
         "is not an argument of regex (fallback, group, group_select, regex_pattern)"),
        (#"{"function": "strip", "chars": " "}"#, "filter_list.0.filter.0.chars",
         "is not an argument of strip (it takes none)"),
        (#"{"name": "strip"}"#, "filter_list.0.filter.0", "needs a \"function\" string"),
        (#""strip""#, "filter_list.0.filter.0", "needs a \"function\" string"),
    ])
    func malformedFilterStepsNameTheirField(json: String, field: String, reason: String) {
        #expect(throws: EvalError.invalidTaskDefinition(source: "t.json", field: field, reason: reason)) {
            try step(json)
        }
    }

    @Test func regexThatDoesNotCompileIsRefusedWhenTheFileIsRead() {
        #expect {
            try step(#"{"function": "regex", "regex_pattern": "([A-D]"}"#)
        } throws: { error in
            guard case EvalError.invalidRegex(let pattern, _) = error else { return false }
            return pattern == "([A-D]"
        }
        #expect(throws: EvalError.invalidRegex(pattern: "([A-D])", reason: "group 2 requested, the pattern has 1")) {
            try step(#"{"function": "regex", "regex_pattern": "([A-D])", "group": 2}"#)
        }
    }

    @Test func aTaskFileWithABadFilterFailsAtLoadNamingTheFile() throws {
        let file = try temporaryDirectory().appendingPathComponent("bad.json")
        let text = #"{"task": "t", "dataset": "d", "task_cluster": "c", "output_type": "generate_until", "#
            + #""doc_to_text": "x", "doc_to_target": {"template": "y"}, "#
            + #""filter_list": [{"name": "f", "filter": [{"function": "shout"}]}]}"#
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect {
            try TaskDefinition.load(from: file)
        } throws: { error in
            guard case EvalError.invalidTaskDefinition(let source, let field, _) = error else { return false }
            return source == file.path && field == "filter_list.0.filter.0.function"
        }
    }

    @Test(arguments: [
        (EvalInstance.Kind.multipleChoice([], choices: [], gold: []), 0),
        (.multipleChoice([LoglikelihoodRequest(context: Prompt(text: "q"), continuation: " a")], choices: ["a"],
                         gold: [3]), 1),
        (.multipleChoice([LoglikelihoodRequest(context: Prompt(text: "q"), continuation: " a")], choices: ["a", "b"],
                         gold: [0]), 1),
    ])
    func multipleChoiceWithoutMatchingChoicesAndGoldIsRefused(kind: EvalInstance.Kind, responses: Int) {
        let instance = EvalInstance(id: "7", kind: kind)
        let answers = Array(repeating: Response.loglikelihood(LoglikelihoodResult(logprob: -1, isGreedy: true)),
                            count: responses)
        #expect {
            try instance.score(answers, metrics: [MetricSpec(.acc), MetricSpec(.f1)], task: "custom")
        } throws: { error in
            guard case EvalError.invalidInstance(let task, let document, _) = error else { return false }
            return task == "custom" && document == "7"
        }
    }

    @Test func optionLettersNeverRunOutForDocumentsWithManyChoices() throws {
        #expect([0, 1, 25, 26, 27, 51, 52, 300].map(MapToOptionLetter.letter) == ["A", "B", "Z", "AA", "AB", "AZ", "BA", "KO"])
        let many = TaskDocument(fields: ["choices": .array((0..<300).map { .string("c\($0)") })], source: "d.jsonl",
                                record: .line(1))
        let block = try PromptTemplate("{choices|options}", source: "t").render(many)
        #expect(block.hasSuffix("KN: c299\n"))
    }
}
