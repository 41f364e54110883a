import Foundation
import MLANData
import MLANEval
import MLANModel
import MLANTrain

/// Runs the demo's held-out evaluations through MLANEval: each micro-world file as a `ConversationFileTask`,
/// scored by the LLaVA adapter with the `v1` template, with the mixture's manifest as held-out proof.
public struct HarnessEvaluator: RecipeEvaluator {
    public init() {}

    public func evaluate(_ model: LlavaForConditionalGeneration, tokenizer: BPETokenizer, images: PixelStore,
                  tasks: [HeldOutTask], limit: Int, trainingManifest: URL?) throws -> [TaskScore] {
        let evalTasks: [any EvalTask] = tasks.map {
            ConversationFileTask(name: $0.name, file: $0.file, imageRoot: images.root, dataset: $0.dataset,
                                 taskCluster: $0.cluster, modality: $0.modality == "vision" ? .vision : .language)
        }
        let scorer = LlavaScorer(model: model, tokenizer: tokenizer, template: VicunaTemplate(),
                                 imageProcessor: images.processor, addsBOS: false, identity: "micro-llava")
        let allowSeen = tasks.contains { !$0.zeroShot }
        let options = EvalOptions(limit: .count(limit), trainingManifest: try trainingManifest.map { try TrainingManifest.load(from: $0) },
                                  allowSeenTasks: allowSeen, template: "v1")
        let report = try EvalRunner(scorer: scorer, options: options, progress: ProgressReporter(mode: .automatic)).run(evalTasks)
        return report.tasks.map { result in
            TaskScore(name: result.info.name, cluster: result.info.taskCluster, modality: result.info.modality.rawValue,
                      accuracy: result.primary?.value ?? 0, stderr: result.primary?.standardError ?? 0,
                      documents: result.effectiveCount,
                      zeroShot: tasks.first { $0.name == result.info.name }?.zeroShot ?? true)
        }
    }
}
