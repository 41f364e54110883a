import Foundation
import MLANCore
import Testing
@testable import MLANEval

/// The built-in tasks are task files in the module's resource bundle, read by the `--task-file` code.
struct BuiltinTaskFileTests {
    @Test(arguments: EvalProtocol.allCases)
    func everyRegisteredTaskHasAParsableFileInTheBundle(evalProtocol: EvalProtocol) throws {
        for name in BuiltinTasks.names {
            let file = try BuiltinTasks.definitionFile(named: name, protocol: evalProtocol)
            #expect(file.path.contains("MLAN_MLANEval.resources/tasks/\(evalProtocol.rawValue)/"))
            let definition = try TaskDefinition.load(from: file)
            #expect(definition.task == name)
            #expect(definition.protocolName == evalProtocol.rawValue)
            #expect(definition.documents != nil, "\(name) names its documents relative to the data folder")
        }
    }

    @Test func theBundleHoldsNoTaskFileOutsideTheRegistry() throws {
        for evalProtocol in EvalProtocol.allCases {
            let folder = try BuiltinTasks.definitionFile(named: "boolq", protocol: evalProtocol).deletingLastPathComponent()
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(files == BuiltinTasks.names.map { "\($0).json" }.sorted())
        }
    }

    @Test func listingReadsNameModalityDatasetAndClusterFromTheFiles() throws {
        #expect(try BuiltinTasks.listing == """
            boolq\tlanguage\tboolq\treading_comprehension
            race\tlanguage\trace\treading_comprehension
            race_middle\tlanguage\trace\treading_comprehension
            openbookqa\tlanguage\topenbookqa\treading_comprehension
            hellaswag\tlanguage\thellaswag\tcommonsense
            arc_easy\tlanguage\tai2_arc\tclosed_book_qa
            arc_challenge\tlanguage\tai2_arc\tclosed_book_qa
            winogrande\tlanguage\twinogrande\tcoreference
            commonsense_qa\tlanguage\tcommonsense_qa\tcommonsense
            lambada_openai\tlanguage\tlambada\tlanguage_modeling
            scienceqa_img\tvision\tscienceqa\tscience_qa
            nlvr\tvision\tnlvr\tvisual_reasoning
            pope_random\tvision\tpope\tobject_hallucination
            pope_popular\tvision\tpope\tobject_hallucination
            pope_adversarial\tvision\tpope\tobject_hallucination

            """)
    }

    @Test func unknownBuiltinDefinitionIsRefusedWithTheKnownNames() {
        #expect(throws: EvalError.unknownTask(name: "mmlu", known: BuiltinTasks.names)) {
            try BuiltinTasks.definition(named: "mmlu", protocol: .mlan)
        }
    }

    /// The paper's protocol is spelled out in each `mlan` file; these are the values ``PaperProtocol`` names.
    @Test func builtinMlanFilesFollowThePaperProtocol() throws {
        for name in BuiltinTasks.names {
            let definition = try BuiltinTasks.definition(named: name, protocol: .mlan)
            #expect(definition.outputType == .generateUntil)
            #expect(definition.until == PaperProtocol.until)
            #expect(definition.metrics.first == PaperProtocol.exactMatch)
            let prefill = definition.conversation?.assistantPrefill
            switch definition.filters {
            case [PaperProtocol.choicePipeline]:
                #expect(prefill == PaperProtocol.choicePrefill && definition.answerFormat == .letter, "\(name)")
                #expect(definition.docToText.contains(PaperProtocol.chooseInstruction), "\(name)")
                #expect(definition.maxNewTokens == 20)
            case [PaperProtocol.yesNoPipeline]:
                #expect(prefill == PaperProtocol.yesNoPrefill && definition.answerFormat == .text, "\(name)")
                #expect(definition.docToText.contains(PaperProtocol.yesNoInstruction), "\(name)")
                #expect(definition.docToChoice == .list(["no", "yes"]) && definition.maxNewTokens == 8)
            case [PaperProtocol.wordPipeline]:
                #expect(name == "lambada_openai")
            default:
                Issue.record("\(name) uses none of the paper's pipelines: \(definition.filters)")
            }
            if name.hasPrefix("pope") { #expect(Array(definition.metrics.dropFirst()) == PaperProtocol.popeMetrics) }
        }
    }

    @Test func aTaskFileCanNameAReaderFormat() throws {
        let folder = try temporaryDirectory()
        try "Making tea: she\n1\nboils water.\nfills the kettle.\ndrinks it.\nsleeps.\n"
            .write(to: folder.appendingPathComponent("items.txt"), atomically: true, encoding: .utf8)
        let definition = try TaskDefinition(json: try JSONValue.parse(
            #"{"task": "tea", "dataset": "toy", "task_cluster": "commonsense", "#
                + #""documents": {"path": "items.txt", "format": "hellaswag"}, "doc_to_text": "{query}", "#
                + #""doc_to_choice": "choices", "doc_to_target": {"field": "label"}, "metric_list": [{"metric": "acc"}]}"#),
            source: "inline")
        let instance = try firstInstance(try DeclaredTask(definition: definition, baseDirectory: folder))
        guard case .multipleChoice(let requests, let choices, let gold) = instance.kind else {
            Issue.record("a multiple-choice task gives multiple-choice instances")
            return
        }
        #expect(requests.map(\.context.transcript) == Array(repeating: "Making tea: she", count: 4))
        #expect(choices == ["boils water.", "fills the kettle.", "drinks it.", "sleeps."] && gold == [1])
    }

    @Test func docToContinuationScoresOneContinuationAfterEachChoice() throws {
        let folder = try temporaryDirectory()
        try #"{"options": ["The cat", "The dog"], "rest": "barked.", "gold": 1}"#
            .write(to: folder.appendingPathComponent("d.jsonl"), atomically: true, encoding: .utf8)
        let definition = try TaskDefinition(json: try JSONValue.parse(
            #"{"task": "partial", "dataset": "toy", "task_cluster": "coreference", "documents": {"path": "d.jsonl"}, "#
                + #""doc_to_text": "", "doc_to_choice": "options", "doc_to_target": {"field": "gold"}, "#
                + #""doc_to_continuation": "{rest}", "metric_list": [{"metric": "acc"}]}"#), source: "inline")
        let instance = try firstInstance(try DeclaredTask(definition: definition, baseDirectory: folder))
        guard case .multipleChoice(let requests, _, let gold) = instance.kind else {
            Issue.record("a multiple-choice task gives multiple-choice instances")
            return
        }
        #expect(requests.map(\.context.transcript) == ["The cat", "The dog"])
        #expect(requests.map(\.continuation) == [" barked.", " barked."] && gold == [1])
        #expect(try TaskDefinition(json: definition.json, source: "round-trip") == definition)
    }

    @Test(arguments: [
        (#""output_type": "generate_until", "doc_to_continuation": "{rest}""#, "applies to multiple choice only"),
        (#""conversation": {}, "doc_to_continuation": "{rest}""#, "needs a raw-text prompt, not a conversation"),
        (#""doc_to_continuation": "{rest""#, "unclosed \"{\""),
    ])
    func docToContinuationOutsideRawMultipleChoiceIsRefused(keys: String, reason: String) throws {
        let json = try JSONValue.parse(#"{"task": "t", "dataset": "d", "task_cluster": "c", "doc_to_text": "x", "#
                                           + #""doc_to_choice": ["a"], "doc_to_target": {"index": 0}, "# + keys + "}")
        #expect(throws: EvalError.invalidTaskDefinition(source: "t.json", field: "doc_to_continuation", reason: reason)) {
            try TaskDefinition(json: json, source: "t.json")
        }
    }
}
