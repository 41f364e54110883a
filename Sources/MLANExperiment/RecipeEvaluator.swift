import Foundation
import MLANData
import MLANModel
import MLANTrain

/// Which block of the experiment's table a task belongs to.
public enum TaskBlock: String, Sendable, Codable, Equatable {
    /// Held-out clusters and real NLVR: the zero-shot columns and their averages.
    case heldOut = "held_out"
    /// Trained clusters asked on images: does tuning on text transfer to the image versions? Never averaged.
    case transfer
}

/// One evaluation of the experiment: a declared MLANEval task (a `--task-file` JSON) or a built-in task name.
public struct ExperimentTask: Sendable, Codable, Equatable {
    /// Where the task comes from.
    public enum Source: Sendable, Codable, Equatable {
        /// A task definition file (`world/tasks/existence_vision.json`).
        case definition(URL)
        /// A built-in MLANEval task (`"nlvr"`), read from the shared data folder.
        case builtin(String)

        /// The file's path or the built-in task's name.
        public var label: String {
            switch self {
            case .definition(let file): file.path
            case .builtin(let name): name
            }
        }
    }

    /// The name reported (the task's own name).
    public var name: String
    /// The task file or built-in name.
    public var source: Source
    /// The table block it is reported in.
    public var block: TaskBlock
    /// Training records the question-only baseline is drawn from (``QuestionOnlyBaseline``); empty: no such baseline.
    public var questionOnlyRecords: [URL]
    /// The image-swap twin: the same documents, each with another document's image, scored beside the task (nil:
    /// none). A model that answers from the image loses accuracy on it; one that answers from the question does not.
    public var swappedImages: Source?

    /// A task of `block`.
    public init(name: String, source: Source, block: TaskBlock, questionOnlyRecords: [URL] = [],
                swappedImages: Source? = nil) {
        self.name = name
        self.source = source
        self.block = block
        self.questionOnlyRecords = questionOnlyRecords
        self.swappedImages = swappedImages
    }
}

/// One task's result for one model under one seed.
public struct TaskScore: Sendable, Codable, Equatable {
    /// The task's name (`micro_existence_vision`, `nlvr`).
    public var name: String
    /// Its task cluster, as held-out checks compare it.
    public var cluster: String
    /// `"language"` or `"vision"`.
    public var modality: String
    /// The table block it belongs to.
    public var block: TaskBlock
    /// The training manifest's verdict: true when no source of the mixture shares the task's dataset or
    /// cluster (always true without a manifest). Only zero-shot held-out scores enter the averages.
    public var zeroShot: Bool
    /// The primary metric (exact match after the paper's filters).
    public var accuracy: Double
    /// The accuracy's standard error over documents.
    public var stderr: Double
    /// Documents evaluated.
    public var documents: Int
    /// Expected accuracy of uniform guessing over the task's answer set (the choices, or the distinct gold answers).
    public var chance: Double
    /// Accuracy of always giving the most frequent gold answer of the evaluated documents.
    public var majority: Double
    /// Accuracy of the question-only baseline on the evaluated documents (nil: the task has no training records).
    public var questionOnly: Double?
    /// Accuracy on the task's image-swap twin: the same documents, each with another document's image (nil: no twin).
    public var swappedImageAccuracy: Double?

    /// A score; see the properties.
    public init(name: String, cluster: String, modality: String, block: TaskBlock, zeroShot: Bool, accuracy: Double,
                stderr: Double, documents: Int, chance: Double, majority: Double, questionOnly: Double? = nil,
                swappedImageAccuracy: Double? = nil) {
        self.name = name
        self.cluster = cluster
        self.modality = modality
        self.block = block
        self.zeroShot = zeroShot
        self.accuracy = accuracy
        self.stderr = stderr
        self.documents = documents
        self.chance = chance
        self.majority = majority
        self.questionOnly = questionOnly
        self.swappedImageAccuracy = swappedImageAccuracy
    }
}

/// Evaluates a trained model on the experiment's tasks. `HarnessEvaluator` runs MLANEval's harness; tests may
/// substitute their own.
public protocol RecipeEvaluator {
    /// Scores `model` on (a seeded subset of `limit` documents of) each task, with `trainingManifest` (the
    /// stage-2 mixture's manifest; nil for the untuned model) deciding which scores are zero-shot, writing each
    /// answer to `samples_{task}.jsonl` in `sampleLog` when given.
    /// - Throws: when a task cannot be read or scored, or reports no primary metric.
    func evaluate(_ model: LlavaForConditionalGeneration, tokenizer: BPETokenizer, images: PixelStore,
                  tasks: [ExperimentTask], limit: Int, seed: UInt64, trainingManifest: URL?, sampleLog: URL?) throws -> [TaskScore]
}
