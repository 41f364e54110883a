import Foundation

extension MicroWorld {
    /// The prefill of letter and true/false prompts under the paper's protocol (MLANEval's `PaperProtocol`).
    public static let choicePrefill = "The answer is \""
    /// The prefill of yes/no prompts under the paper's protocol.
    public static let yesNoPrefill = "The best answer is \""

    /// The assistant prefill a format is evaluated with under the paper's protocol: ``yesNoPrefill`` for yes/no,
    /// ``choicePrefill`` for letters and true/false, none for words and numbers.
    public static func assistantPrefill(_ format: MicroAnswerFormat) -> String {
        switch format {
        case .yesNo: yesNoPrefill
        case .letter, .trueFalse: choicePrefill
        case .word, .number: ""
        }
    }

    /// The declared evaluation task of an evaluation file: `"tasks/existence_vision.json"`, beside its documents
    /// (`"tasks/existence_vision.jsonl"`), so that `mlan eval --task-file` scores it as the demo does.
    public static func taskDefinitionPath(_ cluster: MicroTaskCluster, modality: MicroModality) -> String {
        "tasks/\(cluster.rawValue)_\(modality.rawValue).json"
    }

    /// The task definition (MLANEval's `--task-file` JSON) of `cluster` in `modality` under the paper's `mlan`
    /// protocol: the example's user turn, the assistant prefill of its format (none for word and number
    /// answers), greedy generation to the closing quote, the paper's extraction filters (first clause, then
    /// option text to letter or yes/no normalisation), exact match ignoring case and punctuation. True/false
    /// statements are scored through the yes/no normaliser (`true` → `yes`), so their targets are `yes`/`no`.
    public static func taskDefinition(_ cluster: MicroTaskCluster, modality: MicroModality) -> JSONValue {
        let name = "\(cluster.rawValue)_\(modality.rawValue)"
        var object: [String: JSONValue] = [
            "task": .string("micro_\(name)"), "dataset": .string(datasetName(cluster, modality: modality)),
            "task_cluster": .string(cluster.rawValue), "modality": .string(modality.rawValue), "protocol": "mlan",
            "version": "1.0", "documents": ["path": .string("\(name).jsonl"), "format": "jsonl"], "id_field": "id",
            "output_type": "generate_until", "doc_to_text": "{prompt}",
            "metric_list": [["metric": "exact_match", "ignore_case": true, "ignore_punctuation": true]],
        ]
        let steps: [JSONValue]
        switch cluster.answerFormat {
        case .letter:
            object["doc_to_choice"] = "choices"
            object["doc_to_target"] = ["field": "answer", "labels": .array(SceneQuery.optionLetters.map(JSONValue.string))]
            object["answer_format"] = "letter"
            object["conversation"] = ["assistant_prefill": .string(assistantPrefill(cluster.answerFormat))]
            steps = [["function": "first_clause"], ["function": "strip"], ["function": "map_letter"], ["function": "take_first"]]
        case .yesNo, .trueFalse:
            object["doc_to_choice"] = ["no", "yes"]
            object["doc_to_target"] = ["field": "label"]
            object["conversation"] = ["assistant_prefill": .string(assistantPrefill(cluster.answerFormat))]
            steps = [["function": "first_clause"], ["function": "strip"], ["function": "yes_no"], ["function": "take_first"]]
        case .word, .number:
            object["doc_to_target"] = ["field": "answer"]
            object["conversation"] = ["assistant_prefill": .string(assistantPrefill(cluster.answerFormat))]
            steps = [["function": "first_clause"], ["function": "strip"], ["function": "take_first"]]
        }
        object["filter_list"] = [["name": "mlan", "filter": .array(steps)]]
        object["generation_kwargs"] = ["until": ["\"", "\n"], "max_new_tokens": 6]
        if modality == .vision {
            object["images"] = ["{image}"]
            object["image_root"] = ".."
        }
        return .object(object)
    }

    /// One document of a task file: `id`, `prompt`, `answer`, and `image`, `choices` or `label` (a boolean, for
    /// yes/no and true/false answers) where they apply.
    public static func taskDocument(_ example: MicroExample) -> JSONValue {
        var object: [String: JSONValue] = ["id": .string(example.id), "prompt": .string(example.prompt),
                                           "answer": .string(example.answer)]
        if let image = example.image { object["image"] = .string(image) }
        if case .choice(_, let options) = example.query { object["choices"] = .array(options.map(JSONValue.string)) }
        switch example.cluster.answerFormat {
        case .yesNo, .trueFalse: object["label"] = .bool(example.answer == "yes" || example.answer == "true")
        case .letter, .word, .number: break
        }
        return .object(object)
    }
}
