import Foundation
import MLANData
import MLANEval
import MLANModel

extension SmolLM2Experiment {
    func evaluateBase(_ world: World, data: URL) throws -> [TaskScore] {
        let language = try languageModel(.native)
        return try evaluate("base", world: world, data: data, manifest: nil, includeVision: false) { _, template in
            LanguageModelScorer(model: language.model, tokenizer: language.tokenizer, template: template,
                                identity: "smollm2-base")
        }
    }

    func evaluateAligned(_ world: World, data: URL) throws -> [TaskScore] {
        let language = try languageModel(.native)
        let llava = try alignedModel(language)
        return try evaluate("aligned", world: world, data: data, manifest: nil, includeVision: true) { _, template in
            LlavaScorer(model: llava, tokenizer: language.tokenizer, template: template,
                        imageProcessor: world.pixels.processor, identity: "smollm2-llava aligned")
        }
    }

    /// Scores one row (cached in `eval/ROW.json`): the language tasks under each protocol (`lm-eval` with plain
    /// prompts, `mlan` with the chat template), then under `mlan` the held-out micro clusters (language ones
    /// only without vision) and the real-image vision tasks. Always the first N documents of each task.
    func evaluate(_ row: String, world: World, data: URL, manifest: URL?, includeVision: Bool,
                          scorer: (EvalProtocol, (any ConversationTemplate)?) -> any Scorer) throws -> [TaskScore] {
        let file = output.appendingPathComponent("eval/\(row).json")
        if FileManager.default.fileExists(atPath: file.path) {
            note("[eval \(row)] reusing \(file.path)")
            return try Self.readJSON([TaskScore].self, from: file)
        }
        let eval = config.evaluation
        var scores: [TaskScore] = []
        for name in eval.protocols {
            guard let evalProtocol = EvalProtocol(rawValue: name) else { continue }
            let template = evalProtocol == .mlan ? try BuiltinTemplates.named(config.template) : nil
            var evaluator = HarnessEvaluator(dataDirectory: data, progress: evaluationProgress)
            evaluator.evalProtocol = evalProtocol
            evaluator.firstDocuments = true
            evaluator.templateName = evalProtocol == .mlan ? config.template : nil
            let samples = output.appendingPathComponent("samples/\(row)/\(name)")
            let languageTasks = eval.languageTasks.map {
                ExperimentTask(name: "\($0):\(name)", source: .builtin($0), block: .heldOut)
            }
            note("[eval \(row)] \(name): \(languageTasks.count) language tasks × first \(eval.languageLimit) documents")
            let scoring = scorer(evalProtocol, template)
            scores += try evaluator.evaluate(scorer: scoring, tasks: languageTasks, limit: eval.languageLimit, seed: config.seed,
                                             trainingManifest: manifest, sampleLog: samples)
            guard evalProtocol == .mlan else { continue }
            let micro = world.manifest.evaluationFiles.filter { $0.heldOut && (includeVision || $0.modality == "language") }
                .compactMap { file in
                    file.taskDefinition.map {
                        ExperimentTask(name: "micro_\(file.name)", source: .definition(world.url.appendingPathComponent($0)),
                                       block: .heldOut)
                    }
                }
            note("[eval \(row)] \(name): \(micro.count) held-out micro clusters × first \(eval.microLimit) documents")
            scores += try evaluator.evaluate(scorer: scoring, tasks: micro, limit: eval.microLimit, seed: config.seed,
                                             trainingManifest: manifest, sampleLog: samples)
            guard includeVision else { continue }
            let vision = eval.visionTasks.map { ExperimentTask(name: $0, source: .builtin($0), block: .heldOut) }
            note("[eval \(row)] \(name): \(vision.count) real-image tasks × first \(eval.visionLimit) documents")
            scores += try evaluator.evaluate(scorer: scoring, tasks: vision, limit: eval.visionLimit, seed: config.seed,
                                             trainingManifest: manifest, sampleLog: samples)
        }
        try Self.writeJSON(scores, to: file)
        return scores
    }

}
