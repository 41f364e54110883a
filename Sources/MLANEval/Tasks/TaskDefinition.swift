import MLANCore

/// A task declared as data: which documents, how to prompt, what the choices and target are, how to
/// filter and score. JSON files use lm-eval's YAML key names (see ``init(json:source:)`` and
/// Docs/EVALUATION.md); most built-in tasks are definitions too.
public struct TaskDefinition: Sendable, Equatable {
    /// How the documents are asked.
    public enum OutputType: String, Sendable, CaseIterable {
        /// One log-likelihood request per choice.
        case multipleChoice = "multiple_choice"
        /// One continuation (the rendered target, without a delimiter) for greedy accuracy and perplexity.
        case loglikelihood
        /// The rendered `doc_to_text` scored as a whole for word and byte perplexity.
        case loglikelihoodRolling = "loglikelihood_rolling"
        /// Greedy generation, filtered and compared with the target.
        case generateUntil = "generate_until"
    }

    /// Where the choices come from.
    public enum ChoiceSource: Sendable, Equatable {
        /// The same choices for every document (`["no", "yes"]`).
        case list([String])
        /// A field holding a list of strings (`question.choices.text`).
        case field(String)
    }

    /// The labels a target field's value is looked up in, to get a choice index.
    public enum Labels: Sendable, Equatable {
        /// Fixed labels (`["A", "B", "C", "D"]`).
        case list([String])
        /// A field holding the labels (`question.choices.label`).
        case field(String)
    }

    /// Where the target comes from.
    public enum TargetSource: Sendable, Equatable {
        /// The same choice index for every document.
        case index(Int)
        /// A field: an integer is a choice index, a boolean is index 1 (true) or 0 (false), a string is
        /// looked up in `labels` (when given) or among the choices, else used as the target text; a list of
        /// strings gives several accepted answers (VQA's ten).
        case field(String, labels: Labels?)
        /// A template rendered to the target text (LAMBADA's `" {continuation}"`).
        case template(String)
    }

    /// How a generation task writes a target that is a choice index.
    public enum AnswerFormat: String, Sendable, CaseIterable {
        /// The choice's text.
        case text
        /// The choice's letter (`A` for the first).
        case letter
    }

    /// Conversation prompts: `doc_to_text` becomes the user turn.
    public struct Conversation: Sendable, Equatable {
        /// An optional system turn before the user turn.
        public var system: String?
        /// The start of the assistant reply the model continues from (`The answer is "`).
        public var assistantPrefill: String

        /// A conversation setting.
        public init(system: String? = nil, assistantPrefill: String = "") {
            self.system = system
            self.assistantPrefill = assistantPrefill
        }
    }

    /// A documents file.
    public struct Documents: Sendable, Equatable {
        /// Its path: absolute, or relative to the definition file's folder.
        public var path: String
        /// JSONL or a JSON array.
        public var format: DocumentFormat

        /// A documents file.
        public init(path: String, format: DocumentFormat) {
            self.path = path
            self.format = format
        }
    }

    /// The task's name.
    public var task: String
    /// The dataset, as a training manifest names it.
    public var dataset: String
    /// Other names of the dataset for held-out checks.
    public var datasetAliases: [String]
    /// The task cluster for held-out checks.
    public var taskCluster: String
    /// Language or vision.
    public var modality: Modality
    /// The protocol name reported (`"lm-eval"`, `"mlan"`, or anything for a custom task).
    public var protocolName: String
    /// The task version.
    public var version: String
    /// The documents file; nil when the task's code supplies the documents (built-in tasks).
    public var documents: Documents?
    /// A field holding each document's id; nil uses the document's position.
    public var idField: String?
    /// How documents are asked.
    public var outputType: OutputType
    /// The prompt (the user turn for conversations).
    public var docToText: String
    /// The choices, if any.
    public var docToChoice: ChoiceSource?
    /// The target; nil only for rolling log-likelihood.
    public var docToTarget: TargetSource?
    /// How a generation target that is a choice index is written.
    public var answerFormat: AnswerFormat
    /// Put between the context and each choice for multiple choice (lm-eval's `target_delimiter`).
    public var targetDelimiter: String
    /// Multiple choice with one continuation for every choice (WinoGrande's partial scoring): each choice is
    /// appended to the rendered `doc_to_text` to make its context, and `target_delimiter` + this rendered
    /// template is the continuation scored after each; nil scores the choices as continuations.
    public var docToContinuation: String?
    /// Conversation settings; nil for raw-text prompts.
    public var conversation: Conversation?
    /// Templates of image paths (relative to the image root); each needs an `<image>` in the prompt.
    public var images: [String]
    /// The folder image paths are relative to: absolute, or relative to the definition's folder.
    public var imageRoot: String?
    /// Generation stops before any of these.
    public var until: [String]
    /// The most new tokens to generate.
    public var maxNewTokens: Int
    /// Filter pipelines for generated answers.
    public var filters: [FilterPipelineSpec]
    /// Metrics to report.
    public var metrics: [MetricSpec]
    /// The `"metric,filter"` key averaged into groups; nil: the first metric under the first filter.
    public var primaryMetric: String?

    /// A definition; see the properties for each argument.
    public init(task: String, dataset: String, datasetAliases: [String] = [], taskCluster: String,
                modality: Modality = .language, protocolName: String = "custom", version: String = "1.0",
                documents: Documents? = nil, idField: String? = nil, outputType: OutputType, docToText: String,
                docToChoice: ChoiceSource? = nil, docToTarget: TargetSource?, answerFormat: AnswerFormat = .text,
                targetDelimiter: String = " ", docToContinuation: String? = nil,
                conversation: Conversation? = nil, images: [String] = [],
                imageRoot: String? = nil, until: [String] = ["\n\n"], maxNewTokens: Int = 32,
                filters: [FilterPipelineSpec] = [], metrics: [MetricSpec], primaryMetric: String? = nil) {
        self.task = task
        self.dataset = dataset
        self.datasetAliases = datasetAliases
        self.taskCluster = taskCluster
        self.modality = modality
        self.protocolName = protocolName
        self.version = version
        self.documents = documents
        self.idField = idField
        self.outputType = outputType
        self.docToText = docToText
        self.docToChoice = docToChoice
        self.docToTarget = docToTarget
        self.answerFormat = answerFormat
        self.targetDelimiter = targetDelimiter
        self.docToContinuation = docToContinuation
        self.conversation = conversation
        self.images = images
        self.imageRoot = imageRoot
        self.until = until
        self.maxNewTokens = maxNewTokens
        self.filters = filters
        self.metrics = metrics
        self.primaryMetric = primaryMetric
    }

    /// The metric key averaged into groups.
    /// - Throws: `EvalError.invalidTaskDefinition` when `primary_metric` is not one of the reported keys.
    public func primaryMetricKey() throws -> MetricKey {
        let filterNames = outputType == .generateUntil ? filters.map(\.name) : ["none"]
        let keys = filterNames.flatMap { filter in metrics.map { MetricKey($0.metric, filter: filter) } }
        guard let first = keys.first else {
            throw EvalError.invalidTaskDefinition(source: task, field: "metric_list", reason: "lists no metric")
        }
        guard let primaryMetric else { return first }
        guard let key = keys.first(where: { $0.description == primaryMetric }) else {
            throw EvalError.invalidTaskDefinition(
                source: task, field: "primary_metric",
                reason: "\"\(primaryMetric)\" is not reported; choose one of \(keys.map(\.description))")
        }
        return key
    }
}
