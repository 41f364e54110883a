import Foundation
import MLANData
import MLANModel
import MLANTrain

/// A held-out evaluation file of the experiment.
public struct HeldOutTask: Sendable, Codable, Equatable {
    public var name: String
    public var file: URL
    public var dataset: String
    public var cluster: String
    /// "language" or "vision".
    public var modality: String
    /// False for a trained cluster evaluated as a reference (not zero-shot).
    public var zeroShot: Bool = true
}

/// One task's result for one model.
public struct TaskScore: Sendable, Codable, Equatable {
    public var name: String
    public var cluster: String
    public var modality: String
    public var accuracy: Double
    public var stderr: Double
    public var documents: Int
    /// False for a reference task whose cluster was trained on; such scores stay out of the averages.
    public var zeroShot: Bool = true

    public init(name: String, cluster: String, modality: String, accuracy: Double, stderr: Double, documents: Int,
                zeroShot: Bool = true) {
        self.zeroShot = zeroShot
        self.name = name
        self.cluster = cluster
        self.modality = modality
        self.accuracy = accuracy
        self.stderr = stderr
        self.documents = documents
    }
}

/// Evaluates a trained model on held-out tasks. MLANTrain does not depend on MLANEval; the `mlan` CLI
/// provides the implementation that runs MLANEval's harness.
public protocol RecipeEvaluator {
    /// Scores `model` on the first `limit` documents of each task; tasks the training manifest covers are refused
    /// unless marked `zeroShot == false` (reference tasks), whose scores come back with `zeroShot == false`.
    func evaluate(_ model: LlavaForConditionalGeneration, tokenizer: BPETokenizer, images: PixelStore,
                  tasks: [HeldOutTask], limit: Int, trainingManifest: URL?) throws -> [TaskScore]
}
