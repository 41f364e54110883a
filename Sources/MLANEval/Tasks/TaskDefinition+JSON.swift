import Foundation
import MLANCore

extension TaskDefinition {
    /// Reads a definition from a JSON file.
    /// - Throws: `EvalError.unreadableFile`, `EvalError.invalidJSON`, or `EvalError.invalidTaskDefinition`
    ///   naming the offending key.
    public static func load(from url: URL) throws -> TaskDefinition {
        let bytes = try DocumentReader.contents(of: url)
        let json = try DocumentReader.parse(bytes[...], path: url.path, record: .file)
        return try TaskDefinition(json: json, source: url.path)
    }

    /// Reads a definition from its JSON form (keys as in lm-eval's task YAMLs):
    ///
    /// `task`, `dataset`, `task_cluster` (required strings); `dataset_aliases`, `modality` (`language` |
    /// `vision`), `protocol`, `version`; `documents` `{"path", "format": "jsonl" | "json"}`; `id_field`;
    /// `output_type` (`multiple_choice` | `loglikelihood` | `loglikelihood_rolling` | `generate_until`);
    /// `doc_to_text` (a ``PromptTemplate``); `doc_to_choice` (a list, or a field path); `doc_to_target`
    /// (`{"index": n}`, `{"field": path, "labels": [...] | "labels_field": path}`, `{"template": "…"}`);
    /// `answer_format` (`text` | `letter`); `target_delimiter`; `doc_to_continuation` (a template); `conversation`
    /// `{"system", "assistant_prefill"}`; `images` (path templates); `image_root`; `generation_kwargs`
    /// `{"until", "max_new_tokens"}`; `filter_list` (`[{"name", "filter": [{"function": …}]}]`);
    /// `metric_list` (`[{"metric", "ignore_case", "ignore_punctuation"}]`); `primary_metric`.
    /// - Throws: `EvalError.invalidTaskDefinition` naming `source` and the key.
    public init(json: JSONValue, source: String) throws {
        let reader = DefinitionReader(json: json, source: source)
        guard json.objectValue != nil else {
            throw EvalError.invalidTaskDefinition(source: source, field: "(root)", reason: "expected an object")
        }
        let outputType = try reader.enumeration("output_type", OutputType.self) ?? .multipleChoice
        let documents: Documents? = try reader.value("documents").map { value in
            let nested = DefinitionReader(json: value, source: source, prefix: "documents.")
            return Documents(path: try nested.requiredString("path"),
                             format: try nested.enumeration("format", DocumentFormat.self) ?? .jsonl)
        }
        let generation = try reader.value("generation_kwargs").map {
            DefinitionReader(json: $0, source: source, prefix: "generation_kwargs.")
        }
        let conversation = try reader.value("conversation").map { value -> Conversation in
            let nested = DefinitionReader(json: value, source: source, prefix: "conversation.")
            return Conversation(system: try nested.string("system"),
                                assistantPrefill: try nested.string("assistant_prefill") ?? "")
        }
        let filters = try (reader.array("filter_list") ?? []).enumerated().map { index, value in
            let nested = DefinitionReader(json: value, source: source, prefix: "filter_list.\(index).")
            let steps = try (nested.array("filter") ?? []).enumerated().map { stepIndex, step in
                try FilterStepSpec(json: step, source: source, field: "filter_list.\(index).filter.\(stepIndex)")
            }
            return FilterPipelineSpec(name: try nested.requiredString("name"), steps: steps)
        }
        let metrics = try reader.array("metric_list").map { list in
            try list.enumerated().map { index, value in
                let nested = DefinitionReader(json: value, source: source, prefix: "metric_list.\(index).")
                guard let metric = try nested.enumeration("metric", Metric.self) else {
                    throw EvalError.invalidTaskDefinition(source: source, field: "metric_list.\(index).metric",
                                                          reason: "is required")
                }
                return MetricSpec(metric, ignoreCase: try nested.bool("ignore_case") ?? false,
                                  ignorePunctuation: try nested.bool("ignore_punctuation") ?? false)
            }
        }
        self.init(
            task: try reader.requiredString("task"), dataset: try reader.requiredString("dataset"),
            datasetAliases: try reader.strings("dataset_aliases") ?? [],
            taskCluster: try reader.requiredString("task_cluster"),
            modality: try reader.enumeration("modality", Modality.self) ?? .language,
            protocolName: try reader.string("protocol") ?? "custom", version: try reader.string("version") ?? "1.0",
            documents: documents, idField: try reader.string("id_field"), outputType: outputType,
            docToText: try reader.requiredString("doc_to_text"), docToChoice: try reader.choiceSource(),
            docToTarget: try reader.targetSource(),
            answerFormat: try reader.enumeration("answer_format", AnswerFormat.self) ?? .text,
            targetDelimiter: try reader.string("target_delimiter") ?? " ",
            docToContinuation: try reader.string("doc_to_continuation"), conversation: conversation,
            images: try reader.strings("images") ?? [], imageRoot: try reader.string("image_root"),
            until: try generation?.strings("until") ?? ["\n\n"],
            maxNewTokens: try generation?.int("max_new_tokens") ?? 32,
            filters: outputType == .generateUntil && filters.isEmpty
                ? [FilterPipelineSpec(name: "none", steps: [.takeFirst])] : filters,
            metrics: metrics ?? Self.defaultMetrics(outputType),
            primaryMetric: try reader.string("primary_metric"))
        try validate(source: source)
    }

    /// lm-eval's default metrics for each output type.
    static func defaultMetrics(_ outputType: OutputType) -> [MetricSpec] {
        switch outputType {
        case .multipleChoice: [MetricSpec(.acc), MetricSpec(.accNorm)]
        case .loglikelihood: [MetricSpec(.perplexity), MetricSpec(.acc)]
        case .loglikelihoodRolling: [MetricSpec(.wordPerplexity), MetricSpec(.bytePerplexity), MetricSpec(.bitsPerByte)]
        case .generateUntil: [MetricSpec(.exactMatch)]
        }
    }

    /// Checks that the parts fit together (metrics for the output type, choices and target present).
    /// - Throws: `EvalError.invalidTaskDefinition` naming the key at fault.
    public func validate(source: String) throws {
        func fail(_ field: String, _ reason: String) -> EvalError {
            EvalError.invalidTaskDefinition(source: source, field: field, reason: reason)
        }
        _ = try PromptTemplate(docToText, source: source)
        let allowed: Set<Metric> = switch outputType {
        case .multipleChoice: [.acc, .accNorm, .precision, .recall, .f1, .yesRatio]
        case .loglikelihood: [.acc, .perplexity]
        case .loglikelihoodRolling: [.wordPerplexity, .bytePerplexity, .bitsPerByte]
        case .generateUntil: [.exactMatch, .vqaAccuracy, .precision, .recall, .f1, .yesRatio]
        }
        for (index, spec) in metrics.enumerated() where !allowed.contains(spec.metric) {
            throw fail("metric_list.\(index).metric",
                       "\(spec.metric.rawValue) does not apply to \(outputType.rawValue) tasks")
        }
        if outputType == .multipleChoice && docToChoice == nil { throw fail("doc_to_choice", "multiple choice needs choices") }
        if let docToContinuation {
            guard outputType == .multipleChoice else { throw fail("doc_to_continuation", "applies to multiple choice only") }
            guard conversation == nil else { throw fail("doc_to_continuation", "needs a raw-text prompt, not a conversation") }
            _ = try PromptTemplate(docToContinuation, source: source, field: "doc_to_continuation")
        }
        if outputType != .loglikelihoodRolling && docToTarget == nil { throw fail("doc_to_target", "is required") }
        if outputType == .generateUntil && maxNewTokens < 1 { throw fail("generation_kwargs.max_new_tokens", "must be positive") }
        if outputType == .generateUntil && filters.isEmpty { throw fail("filter_list", "needs at least one pipeline") }
        for pipeline in filters { _ = try pipeline.makePipeline() }
        _ = try primaryMetricKey()
    }

    /// The definition as JSON (reported under `"configs"`).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "task": .string(task), "dataset": .string(dataset), "task_cluster": .string(taskCluster),
            "modality": .string(modality.rawValue), "protocol": .string(protocolName), "version": .string(version),
            "output_type": .string(outputType.rawValue), "doc_to_text": .string(docToText),
            "target_delimiter": .string(targetDelimiter), "metric_list": .array(metrics.map(\.json)),
        ]
        if !datasetAliases.isEmpty { object["dataset_aliases"] = .array(datasetAliases.map(JSONValue.string)) }
        if let documents {
            object["documents"] = ["path": .string(documents.path), "format": .string(documents.format.rawValue)]
        }
        if let idField { object["id_field"] = .string(idField) }
        if let docToContinuation { object["doc_to_continuation"] = .string(docToContinuation) }
        switch docToChoice {
        case .list(let choices): object["doc_to_choice"] = .array(choices.map(JSONValue.string))
        case .field(let path): object["doc_to_choice"] = .string(path)
        case nil: break
        }
        switch docToTarget {
        case .index(let index): object["doc_to_target"] = ["index": .int(index)]
        case .template(let template): object["doc_to_target"] = ["template": .string(template)]
        case .field(let path, .list(let labels)):
            object["doc_to_target"] = ["field": .string(path), "labels": .array(labels.map(JSONValue.string))]
        case .field(let path, .field(let labels)):
            object["doc_to_target"] = ["field": .string(path), "labels_field": .string(labels)]
        case .field(let path, nil): object["doc_to_target"] = ["field": .string(path)]
        case nil: break
        }
        if let conversation {
            var turn: [String: JSONValue] = ["assistant_prefill": .string(conversation.assistantPrefill)]
            if let system = conversation.system { turn["system"] = .string(system) }
            object["conversation"] = .object(turn)
        }
        if !images.isEmpty { object["images"] = .array(images.map(JSONValue.string)) }
        if let imageRoot { object["image_root"] = .string(imageRoot) }
        if outputType == .generateUntil {
            object["answer_format"] = .string(answerFormat.rawValue)
            object["generation_kwargs"] = ["until": .array(until.map(JSONValue.string)),
                                           "max_new_tokens": .int(maxNewTokens), "do_sample": false]
            object["filter_list"] = .array(filters.map(\.json))
        }
        if let primaryMetric { object["primary_metric"] = .string(primaryMetric) }
        return .object(object)
    }
}

/// Typed access to a definition's keys, with errors naming the key.
private struct DefinitionReader {
    let json: JSONValue
    let source: String
    var prefix = ""

    func fail(_ key: String, _ reason: String) -> EvalError {
        EvalError.invalidTaskDefinition(source: source, field: prefix + key, reason: reason)
    }

    func value(_ key: String) throws -> JSONValue? {
        guard json.objectValue != nil else { throw fail("", "expected an object, found \(json.kindName)") }
        guard let value = json[key], !value.isNull else { return nil }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let value = try value(key) else { return nil }
        guard let text = value.stringValue else { throw fail(key, "expected a string, found \(value.kindName)") }
        return text
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else { throw fail(key, "is required") }
        return text
    }

    func int(_ key: String) throws -> Int? {
        guard let value = try value(key) else { return nil }
        guard let number = value.intValue else { throw fail(key, "expected an integer, found \(value.kindName)") }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = try value(key) else { return nil }
        guard let flag = value.boolValue else { throw fail(key, "expected true or false, found \(value.kindName)") }
        return flag
    }

    func array(_ key: String) throws -> [JSONValue]? {
        guard let value = try value(key) else { return nil }
        guard let elements = value.arrayValue else { throw fail(key, "expected a list, found \(value.kindName)") }
        return elements
    }

    func strings(_ key: String) throws -> [String]? {
        guard let elements = try array(key) else { return nil }
        return try elements.map { element in
            guard let text = element.stringValue else { throw fail(key, "expected a list of strings") }
            return text
        }
    }

    func enumeration<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw fail(key, "\"\(text)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func choiceSource() throws -> TaskDefinition.ChoiceSource? {
        guard let value = try value("doc_to_choice") else { return nil }
        if let path = value.stringValue { return .field(path) }
        guard let choices = try strings("doc_to_choice") else { return nil }
        return .list(choices)
    }

    func targetSource() throws -> TaskDefinition.TargetSource? {
        guard let value = try value("doc_to_target") else { return nil }
        let nested = DefinitionReader(json: value, source: source, prefix: prefix + "doc_to_target.")
        if let index = try nested.int("index") { return .index(index) }
        if let template = try nested.string("template") { return .template(template) }
        guard let field = try nested.string("field") else {
            throw fail("doc_to_target", "needs one of \"index\", \"field\" or \"template\"")
        }
        if let labels = try nested.strings("labels") { return .field(field, labels: .list(labels)) }
        if let labels = try nested.string("labels_field") { return .field(field, labels: .field(labels)) }
        return .field(field, labels: nil)
    }
}
