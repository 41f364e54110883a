import Foundation
import MLANCore
import MLANTestSupport
import Testing
@testable import MLANEval

/// Tasks declared in JSON, run end to end against the FakeScorer on real data.
struct DeclaredTaskTests {
    /// BoolQ as a user would declare it: multiple choice over `["no", "yes"]` with a boolean target.
    func boolqJSON(limitToPath path: String) -> String {
        """
        {
          "task": "my_boolq", "dataset": "boolq", "task_cluster": "reading_comprehension",
          "documents": {"path": "\(path)", "format": "jsonl"},
          "output_type": "multiple_choice",
          "doc_to_text": "{title} -- {passage}\\nQuestion: {question}?\\nAnswer:",
          "doc_to_choice": ["no", "yes"],
          "doc_to_target": {"field": "answer"},
          "metric_list": [{"metric": "acc"}, {"metric": "acc_norm"}]
        }
        """
    }

    @Test func declaredMultipleChoiceTaskRunsEndToEndOnRealData() throws {
        let folder = try temporaryDirectory()
        let file = folder.appendingPathComponent("my_boolq.json")
        try boolqJSON(limitToPath: SharedPaths.dataFile("boolq/dev.jsonl").path).write(to: file, atomically: true, encoding: .utf8)
        let task = try DeclaredTask(definition: try TaskDefinition.load(from: file), baseDirectory: folder)
        // The scorer always prefers " yes", so accuracy is the share of true answers among the first 50.
        let scorer = FakeScorer(loglikelihood: { LoglikelihoodResult(logprob: $0.continuation == " yes" ? -1 : -2, isGreedy: false) })
        let report = try runner(scorer, EvalOptions(limit: .count(50))).run([task])
        let answers = try foundationField("answer", of: try foundationJSONLines("boolq/dev.jsonl").prefix(50), as: Bool.self)
        let expected = Double(answers.filter { $0 }.count) / 50
        let result = try #require(report.tasks.first)
        #expect(result.metrics[MetricKey(.acc)]?.value == expected)
        // acc_norm divides by length: -1/3 for "yes" beats -2/2 for "no" as well.
        #expect(result.metrics[MetricKey(.accNorm)]?.value == expected)
        #expect(result.originalCount == 3270 && result.effectiveCount == 50)
        #expect(result.info.protocolName == "custom")
    }

    @Test func declaredGenerationTaskWithRelativeDocumentsFiltersAndScoresLetters() throws {
        let folder = try temporaryDirectory()
        let documents = """
        {"q": "Which is a fruit?", "options": ["stone", "apple", "chair"], "gold": "apple", "id": "q1"}
        {"q": "Which is a colour?", "options": ["red", "dog", "cup"], "gold": "red", "id": "q2"}
        {"q": "Which is an animal?", "options": ["car", "tree", "horse"], "gold": "horse", "id": "q3"}

        """
        try documents.write(to: folder.appendingPathComponent("docs.jsonl"), atomically: true, encoding: .utf8)
        let definition = """
        {"task": "tiny_choice", "dataset": "tiny", "task_cluster": "toy", "protocol": "mlan",
         "documents": {"path": "docs.jsonl"}, "id_field": "id", "output_type": "generate_until",
         "doc_to_text": "Question: {q} Choose the best option from below:\\n{options|options}",
         "doc_to_choice": "options", "doc_to_target": {"field": "gold"}, "answer_format": "letter",
         "conversation": {"assistant_prefill": "The answer is \\""},
         "generation_kwargs": {"until": ["\\n"], "max_new_tokens": 12},
         "filter_list": [{"name": "letters", "filter": [{"function": "first_clause"}, {"function": "strip"},
                                                         {"function": "map_letter"}, {"function": "take_first"}]}],
         "metric_list": [{"metric": "exact_match", "ignore_case": true, "ignore_punctuation": true}]}
        """
        let task = try DeclaredTask(definition: try TaskDefinition(json: try JSONValue.parse(definition), source: "inline"),
                                    baseDirectory: folder)
        // Answers: the option text for q1 (right), a letter for q2 (right), a wrong letter for q3.
        let scorer = FakeScorer(generate: { request in
            let user = request.prompt.transcript
            if user.contains("fruit") { return "apple\". It grows on trees." }
            if user.contains("colour") { return "A\"" }
            return "(B) tree\""
        })
        let logs = try temporaryDirectory()
        let report = try runner(scorer, EvalOptions(sampleLogDirectory: logs)).run([task])
        let key = MetricKey(.exactMatch, filter: "letters")
        #expect(report.tasks[0].metrics[key]?.value == 2.0 / 3.0)
        #expect(report.tasks[0].info.primaryMetric == key)
        let lines = try String(contentsOf: logs.appendingPathComponent("samples_tiny_choice.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let first = try JSONValue.parse(String(lines[0]))
        #expect(first["doc_id"] == "q1")
        #expect(first["filtered"]?["letters"] == "B")
        #expect(first["target"] == ["B"])
        #expect(first["prompt"] == "user: Question: Which is a fruit? Choose the best option from below:\nA: stone\nB: apple\nC: chair\n\nassistant: The answer is \"")
    }

    @Test func definitionErrorsNameTheKey() throws {
        func definition(_ text: String) throws -> TaskDefinition {
            try TaskDefinition(json: try JSONValue.parse(text), source: "def.json")
        }
        #expect(throws: EvalError.invalidTaskDefinition(source: "def.json", field: "task_cluster", reason: "is required")) {
            try definition(#"{"task": "t", "dataset": "d", "doc_to_text": "x", "doc_to_choice": ["a"], "doc_to_target": {"index": 0}}"#)
        }
        #expect(throws: EvalError.invalidTaskDefinition(source: "def.json", field: "metric_list.0.metric",
                                                        reason: "exact_match does not apply to multiple_choice tasks")) {
            try definition(#"{"task": "t", "dataset": "d", "task_cluster": "c", "doc_to_text": "x", "doc_to_choice": ["a"], "#
                           + #""doc_to_target": {"index": 0}, "metric_list": [{"metric": "exact_match"}]}"#)
        }
        #expect(throws: EvalError.invalidTaskDefinition(
            source: "def.json", field: "output_type",
            reason: "\"mc\" is not one of multiple_choice, loglikelihood, loglikelihood_rolling, generate_until")) {
            try definition(#"{"task": "t", "dataset": "d", "task_cluster": "c", "output_type": "mc", "doc_to_text": "x"}"#)
        }
        #expect(throws: EvalError.invalidTaskDefinition(source: "def.json", field: "doc_to_choice",
                                                        reason: "multiple choice needs choices")) {
            try definition(#"{"task": "t", "dataset": "d", "task_cluster": "c", "doc_to_text": "x", "doc_to_target": {"index": 0}}"#)
        }
    }

    @Test func badRecordsAreReportedWithFileLineAndField() throws {
        let folder = try temporaryDirectory()
        let file = folder.appendingPathComponent("docs.jsonl")
        try "{\"q\": \"a\", \"gold\": 0}\n{\"q\": \"b\"}\n".write(to: file, atomically: true, encoding: .utf8)
        let definition = TaskDefinition(task: "t", dataset: "d", taskCluster: "c",
                                        documents: .init(path: "docs.jsonl", format: .jsonl), outputType: .multipleChoice,
                                        docToText: "{q}", docToChoice: .list(["x", "y"]),
                                        docToTarget: .field("gold", labels: nil), metrics: [MetricSpec(.acc)])
        let task = try DeclaredTask(definition: definition, baseDirectory: folder)
        #expect(throws: EvalError.missingField(path: file.path, record: .line(2), field: "gold")) {
            try runner(FakeScorer()).run([task])
        }
        try "{\"q\": \"a\", \"gold\": 0}\nnot json\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: EvalError.self) { try task.documents() }
        try "{\"q\": \"a\", \"gold\": 5}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: EvalError.invalidField(path: file.path, record: .line(1), field: "doc_to_target",
                                               reason: "target index 5 is outside the 2 choices")) {
            try runner(FakeScorer()).run([task])
        }
    }

    @Test func jsonFormWritesBackToAnEqualDefinition() throws {
        for evalProtocol in EvalProtocol.allCases {
            for name in BuiltinTasks.names {
                let definition = try BuiltinTasks.definition(named: name, protocol: evalProtocol)
                #expect(try TaskDefinition(json: definition.json, source: "round-trip") == definition)
            }
        }
    }

    @Test func rollingTaskReportsWordAndBytePerplexity() throws {
        let folder = try temporaryDirectory()
        try "{\"text\": \"one two three\"}\n{\"text\": \"four five\"}\n"
            .write(to: folder.appendingPathComponent("t.jsonl"), atomically: true, encoding: .utf8)
        let definition = try TaskDefinition(json: try JSONValue.parse(
            #"{"task": "ppl", "dataset": "toy", "task_cluster": "lm", "output_type": "loglikelihood_rolling", "#
                + #""documents": {"path": "t.jsonl"}, "doc_to_text": "{text}"}"#), source: "inline")
        let task = try DeclaredTask(definition: definition, baseDirectory: folder)
        let scorer = FakeScorer(rolling: { -Double($0.transcript.split(separator: " ").count) })  // -1 nat per word
        let report = try runner(scorer).run([task])
        let metrics = report.tasks[0].metrics
        #expect(abs(metrics[MetricKey(.wordPerplexity)]!.value - exp(1)) < 1e-12)
        #expect(abs(metrics[MetricKey(.bitsPerByte)]!.value - 5 / 22 / log(2)) < 1e-12)
        #expect(report.groups.isEmpty)  // perplexities are not averaged with accuracies
    }
}
