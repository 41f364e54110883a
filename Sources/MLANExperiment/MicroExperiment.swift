import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTrain

/// The paper's comparison in miniature: a micro world, a tiny LLaVA pretrained on its text (stage 0), aligned
/// on its captions (stage 1), tuned with each mixture (stage 2), and evaluated zero-shot on held-out task
/// clusters in both modalities. `mlan demo` runs it with `MicroRecipe()` defaults.
public final class MicroExperiment {
    public let recipe: MicroRecipe
    /// Everything goes here: world/, tokenizer.json, runs/, mixtures/, report.md, report.html, results.json.
    public let output: URL
    /// Progress messages (stage starts, evaluations); trainers print their own progress lines.
    public var onNote: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// Whether trainers print progress.
    public var showsTrainingProgress = true

    public init(recipe: MicroRecipe, output: URL) {
        self.recipe = recipe
        self.output = output
    }

    /// Runs every stage and evaluation, writes the reports, and returns the results.
    /// - Throws: data, model, training and evaluation errors, each naming what failed.
    public func run(evaluator: any RecipeEvaluator) throws -> ExperimentReport {
        let started = Date()
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        // The world and its tokenizer.
        let worldURL = output.appendingPathComponent("world")
        let vision = recipe.vision
        onNote("[world] generating the micro world (seed \(recipe.seed)) in \(worldURL.path)")
        let scenes = SceneGenerator(objectsPerBox: recipe.objectsPerBox[0]...recipe.objectsPerBox[recipe.objectsPerBox.count - 1])
        let world = try MicroWorld(seed: recipe.seed, imageSize: .init(width: vision.width, height: vision.imageSize), scenes: scenes)
            .write(to: worldURL, counts: recipe.counts)
        let tokenizer = try trainTokenizer(world: worldURL, manifest: world)
        try tokenizer.write(to: output.appendingPathComponent("tokenizer.json"))
        onNote("[tokenizer] \(tokenizer.vocabularySize) tokens")

        // The model.
        var language = recipe.language
        language.vocabSize = tokenizer.vocabularySize
        language.eosTokenID = tokenizer.eosTokenID
        language.bosTokenID = nil
        var rng = SplitMix64(seed: recipe.seed)
        let llava = LlavaForConditionalGeneration(languageModel: LlamaForCausalLM(language, rng: &rng),
                                                  visionTower: CLIPVisionModel(vision, rng: &rng),
                                                  projectorType: .mlp2xGELU, seed: recipe.seed &+ 1)
        let imageToken = llava.config.imageTokenIndex
        let pixels = PixelStore(root: worldURL, width: vision.width, height: vision.imageSize)
        let collator = Collator(padID: tokenizer.padTokenID ?? 0, maxLength: recipe.pretrain.maxLength,
                                imagePlaceholder: imageToken, imageTokenCount: llava.config.imageSeqLength)
        var stages: [StageResult] = []

        // Stage 0: language-model pretraining on the corpus.
        let corpus = try String(contentsOf: worldURL.appendingPathComponent(MicroWorld.corpusFile), encoding: .utf8)
        let eos = tokenizer.eosTokenID!
        let corpusExamples = corpus.split(separator: "\n").enumerated().map { index, line in
            let ids = tokenizer.encode(String(line), addSpecialTokens: false) + [eos]
            return Example(id: "corpus-\(index)", tokens: TokenizedExample(ids: ids, isTarget: ids.indices.map { $0 > 0 }))
        }
        llava.freezeAll(except: [.languageModel])
        stages.append(try train("stage0_pretrain", llava.languageModel, corpusExamples, recipe.pretrain, collator, profile: nil))

        // Stage 1: alignment on captions with the plain template.
        let captions = try InstructionDataset.load(from: worldURL.appendingPathComponent(MicroWorld.captionsFile)).records
        let captionExamples = try captions.map {
            try Example($0, template: PlainTemplate(), tokenizer: tokenizer, imagePlaceholder: imageToken, addBOS: false)
        }
        llava.freezeAll(except: [.projector, .visionTower])  // the micro tower starts from scratch, so it trains here
        let alignModel = LlavaTrainingModel(llava, images: pixels)
        stages.append(try train("stage1_align", alignModel, captionExamples, recipe.align, collator,
                                profile: profile(llava, trainedLanguage: false, trainedTower: true)))
        let aligned = llava.namedParameters().map { ($0.tensor, $0.tensor.scalars) }

        // Held-out tasks, and the untuned aligned model as the "none" recipe.
        let tasks = world.files.filter {
            $0.split == MicroWorld.Split.eval.rawValue && ($0.heldOut || recipe.seenReferenceClusters.contains($0.taskCluster))
        }.map {
            HeldOutTask(name: "micro_\($0.taskCluster)_\($0.modality)", file: worldURL.appendingPathComponent($0.path),
                        dataset: $0.dataset, cluster: $0.taskCluster, modality: $0.modality, zeroShot: $0.heldOut)
        }
        var recipes: [RecipeResult] = []
        onNote("[eval] none: the aligned model without instruction tuning")
        recipes.append(RecipeResult(name: "none", languageFraction: nil,
                                    scores: try evaluator.evaluate(llava, tokenizer: tokenizer, images: pixels, tasks: tasks,
                                                                   limit: recipe.evalLimit, trainingManifest: nil),
                                    training: nil))

        // Stage 2: one instruction-tuning run per mixture, each from the aligned weights.
        let template = VicunaTemplate()
        let sources = try world.files.filter { $0.split == MicroWorld.Split.train.rawValue }.map {
            try MixtureSource.load(name: $0.name, dataset: $0.dataset, taskCluster: $0.taskCluster,
                                   from: worldURL.appendingPathComponent($0.path)).source
        }
        for spec in recipe.mixtures {
            for (tensor, values) in aligned { tensor.assignInPlace(values) }
            let mixture = try Mixture.build(name: spec.name, sources: sources,
                                            plan: .modalities(languageFraction: spec.languageFraction, total: recipe.mixtureSize),
                                            seed: recipe.seed)
            let mixtureURL = output.appendingPathComponent("mixtures/\(spec.name).json")
            try FileManager.default.createDirectory(at: mixtureURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try mixture.write(to: mixtureURL)
            let examples = try mixture.records.map {
                try Example($0, template: template, tokenizer: tokenizer, imagePlaceholder: imageToken, addBOS: false)
            }
            llava.freezeAll(except: [.projector, .languageModel])
            let stage = try train("stage2_\(spec.name)", LlavaTrainingModel(llava, images: pixels), examples,
                                  recipe.instruct, collator, profile: profile(llava, trainedLanguage: true, trainedTower: false))
            stages.append(stage)
            onNote("[eval] \(spec.name)")
            let scores = try evaluator.evaluate(llava, tokenizer: tokenizer, images: pixels, tasks: tasks, limit: recipe.evalLimit,
                                                trainingManifest: Mixture.manifestURL(for: mixtureURL))
            recipes.append(RecipeResult(name: spec.name, languageFraction: spec.languageFraction, scores: scores, training: stage))
        }
        let report = ExperimentReport(seed: recipe.seed, recipe: recipe, stages: stages, recipes: recipes,
                                      wallSeconds: Date().timeIntervalSince(started))
        try report.write(to: output)
        return report
    }

    /// Trains one stage in `runs/NAME` and returns its loss curve and accounting.
    private func train(_ name: String, _ model: any TrainableModel, _ examples: [Example], _ config: TrainConfig,
                       _ collator: Collator, profile: ComputeProfile?) throws -> StageResult {
        onNote("[\(name)] \(examples.count) examples, \(model.trainableParameters().reduce(0) { $0 + $1.tensor.count }) trainable parameters")
        let trainer = try Trainer(model: model, config: config, examples: examples, collator: collator, profile: profile,
                                  runDirectory: output.appendingPathComponent("runs/\(name)"), label: name)
        trainer.log.printsProgress = showsTrainingProgress
        let result = try trainer.run(resume: false)
        return StageResult(name: name, efficiency: result.efficiency,
                           losses: result.records.map { LossPoint(step: $0.step, loss: Double($0.loss)) })
    }

    /// The FLOP profile of a LLaVA stage.
    private func profile(_ llava: LlavaForConditionalGeneration, trainedLanguage: Bool, trainedTower: Bool) -> ComputeProfile {
        let lm = llava.languageModel.parameterCount, tower = llava.visionTower.parameterCount
        let projector = llava.projector.parameterCount
        return ComputeProfile(trainedParameters: trainedLanguage ? lm : 0, frozenBackpropParameters: trainedLanguage ? 0 : lm,
                              imageOnlyForwardParameters: trainedTower ? 0 : tower,
                              imageOnlyTrainedParameters: projector + (trainedTower ? tower : 0))
    }

    /// A byte-level BPE trained on the training texts (never the evaluation files), with `</s>` as EOS.
    private func trainTokenizer(world: URL, manifest: MicroWorldManifest) throws -> BPETokenizer {
        var texts = try String(contentsOf: world.appendingPathComponent(MicroWorld.corpusFile), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let files = [MicroWorld.captionsFile] + manifest.files.filter { $0.split == MicroWorld.Split.train.rawValue }.map(\.path)
        for file in files {
            for record in try InstructionDataset.load(from: world.appendingPathComponent(file)).records {
                texts.append(VicunaTemplate().render(record.turns))
            }
        }
        var tokenizer = try BPETrainer(vocabularySize: recipe.vocabularySize, specialTokens: ["<pad>", "</s>"]).train(texts: texts)
        tokenizer.padTokenID = tokenizer.tokenID("<pad>")
        tokenizer.eosTokenID = tokenizer.tokenID("</s>")
        return tokenizer
    }
}
