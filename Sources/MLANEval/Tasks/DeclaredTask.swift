import Foundation
import MLANCore
import MLANData

/// An ``EvalTask`` built from a ``TaskDefinition``: documents from its file (or from a loader, for built-in
/// tasks whose files need code to read), prompts from its templates.
public struct DeclaredTask: EvalTask {
    /// The definition it runs.
    public let definition: TaskDefinition
    /// Names, metrics and configuration.
    public let info: TaskInfo
    private let loader: @Sendable () throws -> [TaskDocument]
    private let imageRoot: URL?
    private let prompt: PromptTemplate
    private let continuation: PromptTemplate?
    private let imageTemplates: [PromptTemplate]
    private let pipelines: [FilterPipeline]

    /// A task reading the definition's documents file; relative paths (documents, image root) are resolved
    /// against `baseDirectory`, and `imageRoot` (when given) replaces the definition's image root.
    /// - Throws: `EvalError.invalidTaskDefinition` when the definition has no documents file or is invalid.
    public init(definition: TaskDefinition, baseDirectory: URL, imageRoot: URL? = nil) throws {
        guard let documents = definition.documents else {
            throw EvalError.invalidTaskDefinition(source: definition.task, field: "documents", reason: "is required")
        }
        let file = Self.resolve(documents.path, against: baseDirectory)
        let root = imageRoot ?? definition.imageRoot.map { Self.resolve($0, against: baseDirectory) }
        try self.init(definition: definition, imageRoot: root) {
            try DocumentReader.read(file, format: documents.format)
        }
    }

    /// A task whose documents come from `loader`; image paths are relative to `imageRoot`.
    /// - Throws: `EvalError.invalidTaskDefinition` for an invalid definition, or images without a root.
    public init(definition: TaskDefinition, imageRoot: URL?,
                loader: @escaping @Sendable () throws -> [TaskDocument]) throws {
        let source = definition.task
        try definition.validate(source: source)
        if !definition.images.isEmpty && imageRoot == nil {
            throw EvalError.invalidTaskDefinition(source: source, field: "image_root",
                                                  reason: "the task has images, so it needs an image folder")
        }
        if definition.outputType == .loglikelihoodRolling && definition.conversation != nil {
            throw EvalError.invalidTaskDefinition(source: source, field: "conversation",
                                                  reason: "rolling log-likelihood scores raw text only")
        }
        self.definition = definition
        self.loader = loader
        self.imageRoot = imageRoot
        prompt = try PromptTemplate(definition.docToText, source: source)
        continuation = try definition.docToContinuation.map {
            try PromptTemplate($0, source: source, field: "doc_to_continuation")
        }
        imageTemplates = try definition.images.map { try PromptTemplate($0, source: source, field: "images") }
        pipelines = definition.outputType == .generateUntil ? try definition.filters.map { try $0.makePipeline() } : []
        var config = definition.json
        if case .object(var members) = config, let imageRoot {
            members["image_root"] = .string(imageRoot.path)
            config = .object(members)
        }
        info = TaskInfo(name: definition.task, dataset: definition.dataset, datasetAliases: definition.datasetAliases,
                        taskCluster: definition.taskCluster, modality: definition.modality,
                        protocolName: definition.protocolName, version: definition.version,
                        metrics: definition.metrics, filterNames: pipelines.map(\.name),
                        primaryMetric: try definition.primaryMetricKey(), config: config)
    }

    /// Every document, in file order.
    /// - Throws: `EvalError` naming the file, record and field of the first bad record.
    public func documents() throws -> [TaskDocument] {
        try loader()
    }

    /// The requests and targets of `doc`.
    /// - Throws: `EvalError` naming the file, record and field that cannot be turned into requests.
    public func instance(for doc: TaskDocument, index: Int) throws -> EvalInstance {
        let text = try prompt.render(doc)
        let images = try imageTemplates.map { try image($0, doc) }
        let context: Prompt
        if let conversation = definition.conversation {
            let turns = (conversation.system.map { [Turn(.system, $0)] } ?? []) + [Turn(.user, text)]
            context = Prompt(turns: turns, assistantPrefill: conversation.assistantPrefill, images: images)
        } else {
            context = Prompt(text: text, images: images)
        }
        let id = try documentID(doc, index: index)
        guard context.imagePlaceholderCount == images.count else {
            throw EvalError.imageCountMismatch(task: info.name, document: id,
                                               placeholders: context.imagePlaceholderCount, images: images.count)
        }
        let choices = try self.choices(doc)
        switch definition.outputType {
        case .multipleChoice:
            let gold = try goldIndex(doc, choices: choices)
            let requests: [LoglikelihoodRequest]
            if let continuation {  // partial scoring: the choice ends the context, one continuation for all
                let shared = definition.targetDelimiter + (try continuation.render(doc))
                requests = choices.map {
                    LoglikelihoodRequest(context: Prompt(text: text + $0, images: images), continuation: shared)
                }
            } else {
                requests = choices.map {
                    LoglikelihoodRequest(context: context, continuation: definition.targetDelimiter + $0)
                }
            }
            return EvalInstance(id: id, kind: .multipleChoice(requests, choices: choices, gold: [gold]))
        case .loglikelihood:
            let continuation = try targetTexts(doc, choices: choices, format: .text)[0]
            return EvalInstance(id: id, kind: .loglikelihood(LoglikelihoodRequest(context: context,
                                                                                  continuation: continuation)))
        case .loglikelihoodRolling:
            return EvalInstance(id: id, kind: .rolling(context))
        case .generateUntil:
            let request = GenerationRequest(prompt: context, until: definition.until,
                                            maxNewTokens: definition.maxNewTokens)
            let targets = try targetTexts(doc, choices: choices, format: definition.answerFormat)
            return EvalInstance(id: id, kind: .generation(request, choices: choices, targets: targets,
                                                          filters: pipelines))
        }
    }

    // MARK: - Fields

    private enum ResolvedTarget {
        case index(Int)
        case texts([String])
    }

    private func documentID(_ doc: TaskDocument, index: Int) throws -> String {
        guard let field = definition.idField else { return String(index) }
        let value = try doc.value(at: field)
        if let text = value.stringValue { return text }
        if let number = value.intValue { return String(number) }
        throw EvalError.invalidField(path: doc.source, record: doc.record, field: field,
                                     reason: "an id must be a string or an integer, found \(value.kindName)")
    }

    private func choices(_ doc: TaskDocument) throws -> [String] {
        switch definition.docToChoice {
        case .list(let choices): return choices
        case .field(let path): return try doc.strings(at: path)
        case nil: return []
        }
    }

    private func image(_ template: PromptTemplate, _ doc: TaskDocument) throws -> URL {
        let relative = try template.render(doc)
        let url = Self.resolve(relative, against: imageRoot ?? URL(fileURLWithPath: "/"))
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EvalError.missingImage(task: info.name, path: url.path, record: doc.record)
        }
        return url
    }

    private func target(_ doc: TaskDocument, choices: [String]) throws -> ResolvedTarget {
        let field: String, value: JSONValue, labels: TaskDefinition.Labels?
        switch definition.docToTarget {
        case .index(let index): return .index(index)
        case .template(let text):
            field = "doc_to_target"
            value = .string(try PromptTemplate(text, source: info.name, field: "doc_to_target").render(doc))
            labels = nil
        case .field(let path, let fieldLabels):
            field = path
            value = try doc.value(at: path)
            labels = fieldLabels
        case nil:
            throw EvalError.invalidTaskDefinition(source: info.name, field: "doc_to_target", reason: "is required")
        }
        func invalid(_ reason: String) -> EvalError {
            EvalError.invalidField(path: doc.source, record: doc.record, field: field, reason: reason)
        }
        switch value {
        case .int(let index): return .index(index)
        case .bool(let flag): return .index(flag ? 1 : 0)
        case .string(let text):
            if let labels {
                let list = switch labels {
                case .list(let list): list
                case .field(let path): try doc.strings(at: path)
                }
                guard let index = list.firstIndex(of: text) else { throw invalid("\"\(text)\" is not among \(list)") }
                return .index(index)
            }
            if let index = choices.firstIndex(of: text) { return .index(index) }
            return .texts([text])
        case .array(let elements):
            let texts = elements.compactMap(\.stringValue)
            guard texts.count == elements.count, !texts.isEmpty else { throw invalid("expected a list of strings") }
            return .texts(texts)
        default:
            throw invalid("a target must be an index, a boolean, a string or a list of strings, found \(value.kindName)")
        }
    }

    private func goldIndex(_ doc: TaskDocument, choices: [String]) throws -> Int {
        switch try target(doc, choices: choices) {
        case .index(let index) where choices.indices.contains(index):
            return index
        case .index(let index):
            throw EvalError.invalidField(path: doc.source, record: doc.record, field: "doc_to_target",
                                         reason: "target index \(index) is outside the \(choices.count) choices")
        case .texts(let texts):
            throw EvalError.invalidField(path: doc.source, record: doc.record, field: "doc_to_target",
                                         reason: "target \(texts) is not one of the choices \(choices)")
        }
    }

    private func targetTexts(_ doc: TaskDocument, choices: [String],
                             format: TaskDefinition.AnswerFormat) throws -> [String] {
        switch try target(doc, choices: choices) {
        case .texts(let texts):
            return texts
        case .index(let index):
            guard choices.indices.contains(index) else {
                throw EvalError.invalidField(path: doc.source, record: doc.record, field: "doc_to_target",
                                             reason: "target index \(index) is outside the \(choices.count) choices")
            }
            return [format == .letter ? MapToOptionLetter.letter(index) : choices[index]]
        }
    }

    private static func resolve(_ path: String, against base: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
    }
}
