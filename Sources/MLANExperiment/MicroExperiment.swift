import Foundation
import Synchronization
import MLANCore
import MLANData
import MLANModel
import MLANTrain

/// The paper's comparison in miniature: per seed, a micro world, a tiny LLaVA pretrained on its text and on
/// generic instructions (stage 0), aligned on its captions (stage 1), tuned with each mixture (stage 2), and
/// evaluated zero-shot on held-out task clusters in both modalities, on real NLVR images, and on trained clusters
/// asked on images (modality transfer). `mlan demo` runs it with `MicroRecipe()` defaults.
public final class MicroExperiment {
    public let recipe: MicroRecipe
    /// Everything goes here: report.md, report.html, results.json, and per seed `seed-N/` with world/,
    /// tokenizer.json, runs/, mixtures/ and samples/RECIPE/ (every evaluated answer).
    public let output: URL
    /// Progress messages (stage starts, evaluations), one call at a time even while seeds run side by side;
    /// trainers print their own progress lines.
    public var onNote: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    private let noteLock = NSLock()
    /// Whether trainers print progress.
    public var showsTrainingProgress = true
    /// How many seeds run at once, each on one thread (default: one per core). Results do not depend on it.
    public var concurrentSeeds = ProcessInfo.processInfo.activeProcessorCount

    public init(recipe: MicroRecipe, output: URL) {
        self.recipe = recipe
        self.output = output
    }

    /// Runs every seed, writes the reports, and returns the results.
    /// - Throws: `ExperimentError.invalidSetting` for a bad recipe; data, model, training and evaluation errors,
    ///   each naming what failed.
    public func run(evaluator: any RecipeEvaluator) throws -> ExperimentReport {
        try recipe.validate()
        let started = Date()
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw ExperimentError.invalidSetting(field: output.path, reason: "cannot create the output folder: "
                + InputFile.reason(for: error))
        }
        // Seeds run side by side, one thread each; the reports so far are rewritten as each seed finishes, so an
        // interrupted run still leaves the finished seeds' table.
        let finished = Mutex<[Int: SeedRun]>([:])
        let count = recipe.seeds.count
        try IndependentJobs.run(count: count, workers: concurrentSeeds) { index in
            let seed = recipe.seeds[index]
            let tag = "[seed \(index + 1)/\(count)]"
            let seedStarted = Date()
            let run = try runSeed(seed, tag: tag, evaluator: evaluator)
            try finished.withLock { runs in
                runs[index] = run
                let elapsed = Date().timeIntervalSince(started)
                try ExperimentReport(recipe: recipe, runs: runs.keys.sorted().compactMap { runs[$0] }, wallSeconds: elapsed)
                    .write(to: output)
                let left = Double(count - runs.count)
                note(String(format: "%@ done in %.0f s; %.0f s elapsed, about %.0f s left", tag,
                              Date().timeIntervalSince(seedStarted), elapsed, elapsed / Double(runs.count) * left))
            }
        }
        let runs = finished.withLock { runs in runs.keys.sorted().compactMap { runs[$0] } }
        let report = ExperimentReport(recipe: recipe, runs: runs, wallSeconds: Date().timeIntervalSince(started))
        try report.write(to: output)
        return report
    }

    private func note(_ message: String) { noteLock.withLock { onNote(message) } }

    /// One seed end to end in `seed-N/`.
    private func runSeed(_ seed: UInt64, tag: String, evaluator: any RecipeEvaluator) throws -> SeedRun {
        let folder = output.appendingPathComponent("seed-\(seed)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The world and its tokenizer.
        let worldURL = folder.appendingPathComponent("world")
        let vision = recipe.vision
        note("\(tag) [world] generating the micro world (seed \(seed)) in \(worldURL.path)")
        let world = try MicroWorld(seed: seed, imageSize: .init(width: vision.width, height: vision.imageSize),
                                   scenes: try recipe.sceneGenerator())
            .write(to: worldURL, counts: recipe.counts)
        let tokenizer = try Self.trainTokenizer(world: worldURL, manifest: world, vocabularySize: recipe.vocabularySize)
        try tokenizer.write(to: folder.appendingPathComponent("tokenizer.json"))
        guard let eos = tokenizer.eosTokenID, let pad = tokenizer.padTokenID else {
            throw ExperimentError.invalidSetting(field: "tokenizer", reason: "the trained tokenizer lacks </s> or <pad>")
        }
        note("\(tag) [tokenizer] \(tokenizer.vocabularySize) tokens")

        // The model.
        var language = recipe.language
        language.vocabSize = tokenizer.vocabularySize
        language.eosTokenID = eos
        language.bosTokenID = nil
        var rng = SplitMix64(seed: seed)
        let llava = LlavaForConditionalGeneration(languageModel: LlamaForCausalLM(language, rng: &rng),
                                                  visionTower: CLIPVisionModel(vision, rng: &rng),
                                                  projectorType: .mlp2xGELU, seed: seed &+ 1)
        let imageToken = llava.config.imageTokenIndex
        let pixels = PixelStore(root: worldURL, width: vision.width, height: vision.imageSize)
        let collator = Collator(padID: pad, maxLength: recipe.pretrain.maxLength,
                                imagePlaceholder: imageToken, imageTokenCount: llava.config.imageSeqLength)
        let template = VicunaTemplate()
        var stages: [StageResult] = []
        func config(_ stage: TrainConfig) -> TrainConfig {
            var c = stage
            c.seed = seed
            return c
        }
        func train(_ name: String, _ model: any TrainableModel, _ examples: [Example], _ stage: TrainConfig,
                   profile: ComputeProfile?) throws -> StageResult {
            try self.train(name, tag: tag, folder: folder, model, examples, config(stage), collator, profile: profile)
        }

        // Stage 0: the corpus (every token a target) and generic instructions (v1, assistant replies as targets).
        let corpus = try String(contentsOf: worldURL.appendingPathComponent(MicroWorld.corpusFile), encoding: .utf8)
        var pretrainExamples = corpus.split(separator: "\n").enumerated().map { index, line in
            let ids = tokenizer.encode(String(line), addSpecialTokens: false) + [eos]
            return Example(id: "corpus-\(index)", tokens: TokenizedExample(ids: ids, isTarget: ids.indices.map { $0 > 0 }))
        }
        pretrainExamples += try InstructionDataset.load(from: worldURL.appendingPathComponent(MicroWorld.pretrainInstructionsFile))
            .records.map { try Example($0, template: template, tokenizer: tokenizer, imagePlaceholder: imageToken, addBOS: false) }
        llava.freezeAll(except: [.languageModel])
        stages.append(try train("stage0_pretrain", llava.languageModel, pretrainExamples, recipe.pretrain, profile: nil))

        // Stage 1: alignment on captions with the plain template.
        let captions = try InstructionDataset.load(from: worldURL.appendingPathComponent(MicroWorld.captionsFile)).records
        let captionExamples = try captions.map {
            try Example($0, template: PlainTemplate(), tokenizer: tokenizer, imagePlaceholder: imageToken, addBOS: false)
        }
        llava.freezeAll(except: [.projector, .visionTower])  // the micro tower starts from scratch, so it trains here
        stages.append(try train("stage1_align", LlavaTrainingModel(llava, images: pixels), captionExamples, recipe.align,
                                profile: ComputeProfile(llava)))
        let aligned = llava.namedParameters().map { ($0.tensor, $0.tensor.scalars) }

        // The evaluations, and the untuned aligned model as the "none" recipe.
        let (worldTasks, nlvrTasks) = tasks(world: world, at: worldURL)
        func evaluate(_ name: String, manifest: URL?) throws -> [TaskScore] {
            note("\(tag) [eval \(name)] \(worldTasks.count) micro-world tasks × \(recipe.evalLimit) documents"
                + (nlvrTasks.isEmpty ? "" : ", NLVR × \(recipe.nlvrLimit)"))
            let samples = folder.appendingPathComponent("samples/\(name)")
            var scores = try evaluator.evaluate(llava, tokenizer: tokenizer, images: pixels, tasks: worldTasks,
                                                limit: recipe.evalLimit, seed: seed, trainingManifest: manifest, sampleLog: samples)
            if !nlvrTasks.isEmpty {
                scores += try evaluator.evaluate(llava, tokenizer: tokenizer, images: pixels, tasks: nlvrTasks,
                                                 limit: recipe.nlvrLimit, seed: seed, trainingManifest: manifest, sampleLog: samples)
            }
            return scores
        }
        var recipes: [RecipeRun] = [RecipeRun(name: "none", languageFraction: nil, scores: try evaluate("none", manifest: nil),
                                              training: nil)]

        // Stage 2: one instruction-tuning run per mixture, each from the aligned weights.
        let sources = try world.trainingSources(in: worldURL)
        for spec in recipe.mixtures {
            for (tensor, values) in aligned { tensor.assignInPlace(values) }
            let mixture = try Mixture.build(name: spec.name, sources: sources,
                                            plan: .modalities(languageFraction: spec.languageFraction, total: recipe.mixtureSize),
                                            seed: seed)
            let mixtureURL = folder.appendingPathComponent("mixtures/\(spec.name).json")
            try FileManager.default.createDirectory(at: mixtureURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try mixture.write(to: mixtureURL)
            let examples = try mixture.records.map {
                try Example($0, template: template, tokenizer: tokenizer, imagePlaceholder: imageToken, addBOS: false)
            }
            llava.freezeAll(except: [.projector, .languageModel])
            let stage = try train("stage2_\(spec.name)", LlavaTrainingModel(llava, images: pixels), examples, recipe.instruct,
                                  profile: ComputeProfile(llava))
            stages.append(stage)
            recipes.append(RecipeRun(name: spec.name, languageFraction: spec.languageFraction,
                                     scores: try evaluate(spec.name, manifest: Mixture.manifestURL(for: mixtureURL)),
                                     training: stage))
        }
        return SeedRun(seed: seed, stages: stages, recipes: recipes)
    }

    /// The micro-world tasks (held-out clusters in both modalities, then the transfer clusters' language and
    /// vision versions) and the real-NLVR task (none when `nlvrLimit` is 0).
    private func tasks(world: MicroWorldManifest, at folder: URL) -> (world: [ExperimentTask], nlvr: [ExperimentTask]) {
        let files = world.evaluationFiles.compactMap { file -> (MicroWorldManifest.TaskFile, String)? in
            file.taskDefinition.map { (file, $0) }
        }
        let heldOut = files.filter { $0.0.heldOut }.map {
            ExperimentTask(name: "micro_\($0.0.name)", source: .definition(folder.appendingPathComponent($0.1)), block: .heldOut)
        }
        let transfer = recipe.transferClusters.flatMap { cluster in
            files.filter { $0.0.taskCluster == cluster }.map {
                ExperimentTask(name: "micro_\($0.0.name)", source: .definition(folder.appendingPathComponent($0.1)), block: .transfer)
            }
        }
        let nlvr = recipe.nlvrLimit > 0 ? [ExperimentTask(name: "nlvr", source: .builtin("nlvr"), block: .heldOut)] : []
        return (heldOut + transfer, nlvr)
    }

    /// Trains one stage in `folder/runs/NAME` and returns its loss curve and accounting.
    private func train(_ name: String, tag: String, folder: URL, _ model: any TrainableModel, _ examples: [Example],
                       _ config: TrainConfig, _ collator: Collator, profile: ComputeProfile?) throws -> StageResult {
        note("\(tag) [\(name)] \(examples.count) examples, \(model.trainableParameters().reduce(0) { $0 + $1.tensor.count }) trainable parameters")
        let trainer = try Trainer(model: model, config: config, examples: examples, collator: collator, profile: profile,
                                  runDirectory: folder.appendingPathComponent("runs/\(name)"), label: "\(tag) \(name)")
        trainer.log.printsProgress = showsTrainingProgress
        let result = try trainer.run(resume: false)
        return StageResult(name: name, efficiency: result.efficiency,
                           losses: result.records.map { LossPoint(step: $0.step, loss: Double($0.loss)) })
    }

    /// A byte-level BPE trained on all training text (corpus, generic instructions, captions, training files;
    /// never the evaluation files), with `</s>` as EOS and `<pad>` as padding.
    /// - Throws: file errors naming the file.
    static func trainTokenizer(world: URL, manifest: MicroWorldManifest, vocabularySize: Int) throws -> BPETokenizer {
        var texts = try String(contentsOf: world.appendingPathComponent(MicroWorld.corpusFile), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let files = [MicroWorld.captionsFile] + (manifest.instructions.map { [$0] } ?? []) + manifest.trainingFiles.map(\.path)
        for file in files {
            for record in try InstructionDataset.load(from: world.appendingPathComponent(file)).records {
                texts.append(VicunaTemplate().render(record.turns))
            }
        }
        var tokenizer = try BPETrainer(vocabularySize: vocabularySize, specialTokens: ["<pad>", "</s>"]).train(texts: texts)
        tokenizer.padTokenID = tokenizer.tokenID("<pad>")
        tokenizer.eosTokenID = tokenizer.tokenID("</s>")
        return tokenizer
    }
}
