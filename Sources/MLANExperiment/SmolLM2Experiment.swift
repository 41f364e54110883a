import Foundation
import MLANCore
import MLANData
import MLANEval
import MLANModel
import MLANTrain

/// The paper's experiment on a real pretrained LLM: SmolLM2-135M-Instruct with a small CLIP tower trained here,
/// aligned on micro-world captions (stage 1), tuned with each mixture (stage 2), and evaluated zero-shot on real
/// language benchmarks (lm-eval and `mlan` protocols), real NLVR and ScienceQA-IMG images and held-out
/// micro-world clusters. `mlan experiment --config Configs/smollm2-mlan.json` runs it.
///
/// Every job leaves its result in `output` and is skipped when that result is there, and every training stage
/// resumes from its newest checkpoint, so a killed run continues where it stopped:
///
/// ```
/// world/                      the micro world (images at NLVR's 400 × 100)
/// runs/stage1_align/          stage 1's log, checkpoints, stage.json (curve and cost) when complete
/// vision-tower/               the trained tower as a CLIP directory (`--vision-tower`)
/// aligned/                    the tower and projector after stage 1 (LLaVA tensor names)
/// mixtures/NAME.json          each stage-2 mixture and its manifest (the held-out proof)
/// runs/stage2_NAME/           each stage-2 run
/// eval/ROW.json               each row's scores; samples/ROW/PROTOCOL/ every answer
/// report.md, report.html, results.json
/// ```
public final class SmolLM2Experiment {
    public let config: SmolLM2ExperimentConfig
    public let output: URL
    /// The folder laid out like `../shared/data`; nil looks it up with `SharedDataDirectory.locate()`.
    public var dataDirectory: URL?
    /// Recorded in the report: the command line that ran it.
    public var command = ""
    /// Recorded in the report: whether this is a `--quick` smoke run.
    public var isSmokeRun = false
    /// Progress messages (jobs, resumes, elapsed time and ETA); trainers and evaluations print their own lines.
    public var onNote: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// Whether trainers print their step lines.
    public var showsTrainingProgress = true
    /// How evaluations show progress.
    public var evaluationProgress: ProgressReporter.Mode = .automatic
    /// Stops the run as a kill would, after `step` optimizer steps of the stage named `stage` (`stage1_align`,
    /// `stage2_mlan`, …) with that step's checkpoint written; `run()` then returns nil.
    public var stopAfter: (stage: String, step: Int)?

    private var started = Date()
    private var jobsDone = 0
    private var secondsPerJob: [Double] = []

    public init(config: SmolLM2ExperimentConfig, output: URL) {
        self.config = config
        self.output = output
    }

    /// Runs (or continues) every job and writes the reports.
    /// - Returns: the report, or nil when `stopAfter` stopped the run.
    /// - Throws: `ExperimentError.invalidSetting` for a bad config or a missing model, and the data, model,
    ///   training and evaluation errors of the jobs, each naming what failed.
    public func run() throws -> SmolLM2ExperimentReport? {
        try config.validate()
        started = Date()
        let data = try dataDirectory ?? SharedDataDirectory.locate()
        guard FileManager.default.fileExists(atPath: config.languageModel) else {
            throw ExperimentError.invalidSetting(field: "language_model", reason:
                "\(config.languageModel): no such file (`make models` fetches SmolLM2-135M-Instruct)")
        }
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw ExperimentError.invalidSetting(field: output.path, reason: "cannot create the output folder: "
                + InputFile.reason(for: error))
        }
        let world = try job("world") { try prepareWorld() }
        guard let stage1 = try job("stage1_align", { try align(world) }) else { return nil }
        var rows = [SmolLM2ExperimentReport.Row(name: "base", languageFraction: nil,
                                                scores: try job("eval base") { try evaluateBase(world, data: data) },
                                                training: nil)]
        rows.append(.init(name: "aligned", languageFraction: nil,
                          scores: try job("eval aligned") { try evaluateAligned(world, data: data) }, training: nil))
        for spec in config.mixtures {
            guard let row = try job("stage2_\(spec.name) + eval", { try tune(spec, world, data: data) }) else { return nil }
            rows.append(row)
        }
        let report = SmolLM2ExperimentReport(config: config, command: command, commit: Self.currentCommit(),
                                             smokeRun: isSmokeRun, stages: [stage1] + rows.compactMap(\.training),
                                             rows: rows, wallSeconds: Date().timeIntervalSince(started))
        try report.write(to: output)
        note(String(format: "[experiment] done in %@; reports in %@", TrainLogClock.format(report.wallSeconds), output.path))
        return report
    }

    // MARK: Jobs

    /// The jobs of the run in order: world, stage 1, two evaluations, then each mixture.
    private var jobCount: Int { 4 + config.mixtures.count }

    /// Runs one job between progress lines with the elapsed time and an ETA from the jobs so far.
    private func job<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let start = Date()
        note("[job \(jobsDone + 1)/\(jobCount)] \(name)")
        let value = try body()
        let seconds = Date().timeIntervalSince(start)
        secondsPerJob.append(seconds)
        jobsDone += 1
        let remaining = Double(jobCount - jobsDone) * secondsPerJob.reduce(0, +) / Double(secondsPerJob.count)
        note(String(format: "[job %d/%d] %@ finished in %@; elapsed %@, ETA %@ (mean job time)", jobsDone, jobCount, name,
                    TrainLogClock.format(seconds), TrainLogClock.format(Date().timeIntervalSince(started)),
                    TrainLogClock.format(remaining)))
        return value
    }

    func note(_ message: String) { onNote(message) }

    /// The world, its scene tasks and the image store at the tower's resolution.
    struct World {
        var url: URL
        var manifest: MicroWorldManifest
        var pixels: PixelStore
    }

    /// Writes the micro world once (its images at NLVR's 400 × 100, so training scenes and the real NLVR test
    /// images reach the tower through the same resize) and reads it back on later runs.
    private func prepareWorld() throws -> World {
        let url = output.appendingPathComponent("world")
        let manifestURL = url.appendingPathComponent(MicroWorldManifest.fileName)
        let manifest: MicroWorldManifest
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            manifest = try MicroWorldManifest.load(from: manifestURL)
            note("[world] reusing \(url.path)")
        } else {
            let boxes = config.world.objectsPerBox
            manifest = try MicroWorld(seed: config.seed, imageSize: .nlvr,
                                      scenes: SceneGenerator(objectsPerBox: boxes[0]...boxes[1]), corpusQuestions: 1)
                .write(to: url, counts: config.worldCounts)
            note("[world] \(config.world.captions) captions, \(manifest.files.count) task files in \(url.path)")
        }
        let tower = config.visionTower
        return World(url: url, manifest: manifest,
                     pixels: PixelStore(root: url, processor: .stretched(height: tower.imageSize, width: tower.width)))
    }

    // MARK: Models

    /// SmolLM2 with its tokenizer: `.native` (frozen, in the GGUF's own blocks) or `.f32` (trainable).
    func languageModel(_ weights: WeightForm) throws -> LoadedLanguageModel {
        try LanguageModelLoader.load(from: URL(fileURLWithPath: config.languageModel), weights: weights)
    }

    private var towerURL: URL { output.appendingPathComponent("vision-tower") }
    private var alignedURL: URL { output.appendingPathComponent("aligned") }

    /// SmolLM2 with the trained tower and the aligned projector (after stage 1).
    func alignedModel(_ language: LoadedLanguageModel) throws -> LlavaForConditionalGeneration {
        let llava = compose(language, try CLIPVisionModel.load(from: towerURL))
        try llava.loadWeights(from: try SafetensorsSource(directory: alignedURL), keepVisionTower: true,
                              allowMissing: [.languageModel])
        return llava
    }

    /// SmolLM2 and `tower` with a fresh seeded projector. The features are the tower's **last** layer (LLaVA takes
    /// CLIP's penultimate one because CLIP's last was shaped by its contrastive loss; this tower trains for this use,
    /// and a layer left out would get no gradient in stage 1).
    private func compose(_ language: LoadedLanguageModel, _ tower: CLIPVisionModel) -> LlavaForConditionalGeneration {
        LlavaForConditionalGeneration(languageModel: language.model, visionTower: tower, projectorType: .mlp2xGELU,
                                      visionFeatureLayers: [-1], seed: config.seed &+ 1)
    }

    private func addsBOS(_ tokenizer: any Tokenizer) -> Bool {
        tokenizer.bosTokenID != nil && tokenizer.encode("", addSpecialTokens: true).first == tokenizer.bosTokenID
    }

    /// The FLOP profile of `llava` as frozen now, counting the language model's frozen stored matrices too
    /// (they are not parameters, but every token runs through them).
    private func profile(_ llava: LlavaForConditionalGeneration) -> ComputeProfile {
        var profile = ComputeProfile(llava)
        var seen = Set<ObjectIdentifier>()
        for (_, matrix) in llava.languageModel.namedFrozenMatrices() where seen.insert(ObjectIdentifier(matrix)).inserted {
            profile.frozenBackpropParameters += matrix.rows * matrix.columns
        }
        return profile
    }

    // MARK: Stage 1

    /// Stage 1: the tower (from scratch) and the projector train on the world's captions with the `plain` template,
    /// SmolLM2 frozen in its stored form. Saves the tower as a CLIP directory and the aligned weights.
    private func align(_ world: World) throws -> StageResult? {
        let name = "stage1_align"
        let done = output.appendingPathComponent("runs/\(name)/stage.json")
        if FileManager.default.fileExists(atPath: done.path), FileManager.default.fileExists(atPath: alignedURL.path) {
            note("[\(name)] complete; reusing \(towerURL.path) and \(alignedURL.path)")
            return try Self.readJSON(StageResult.self, from: done)
        }
        let language = try languageModel(.native)
        var rng = SplitMix64(seed: config.seed)
        let llava = compose(language, CLIPVisionModel(config.visionTower, rng: &rng))
        llava.freezeAll(except: [.projector, .visionTower])
        // The features are the last layer's patch tokens: the post-layernorm (class token only) gets no gradient.
        llava.freeze(prefixes: [LlavaComponent.visionTower.prefix + "post_layernorm."])
        let imageToken = llava.config.imageTokenIndex
        let bos = addsBOS(language.tokenizer)
        let examples = try InstructionDataset.load(from: world.url.appendingPathComponent(MicroWorld.captionsFile)).records.map {
            try Example($0, template: PlainTemplate(), tokenizer: language.tokenizer, imagePlaceholder: imageToken, addBOS: bos)
        }
        guard let stage = try train(name, LlavaTrainingModel(llava, images: world.pixels), examples, config.align,
                                    tokenizer: language.tokenizer, llava: llava) else { return nil }
        try VisionTowerDirectory.write(llava.visionTower, processor: world.pixels.processor, to: towerURL)
        var tensors: [String: SafetensorsEntry] = [:]
        for (name, tensor) in llava.parameters(of: .projector) { tensors[name] = .float32(tensor.detached()) }
        try HuggingFaceWriter.writeDirectory(alignedURL) { staging in
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: staging.appendingPathComponent("model.safetensors"))
        }
        try Self.writeJSON(stage, to: done)
        return stage
    }

    // MARK: Stage 2

    /// One mixture: built from the real instruction sets and the world's scene tasks, tuned from the aligned
    /// model (full fine-tuning of projector and SmolLM2, or LoRA), then evaluated.
    private func tune(_ spec: SmolLM2ExperimentConfig.MixtureSpec, _ world: World, data: URL) throws -> SmolLM2ExperimentReport.Row? {
        let name = "stage2_\(spec.name)"
        let done = output.appendingPathComponent("runs/\(name)/stage.json")
        let evalFile = output.appendingPathComponent("eval/\(spec.name).json")
        if FileManager.default.fileExists(atPath: done.path), FileManager.default.fileExists(atPath: evalFile.path) {
            note("[\(name)] complete and evaluated; reusing \(evalFile.path)")
            return .init(name: spec.name, languageFraction: spec.languageFraction,
                         scores: try Self.readJSON([TaskScore].self, from: evalFile),
                         training: try Self.readJSON(StageResult.self, from: done))
        }
        let language = try languageModel(config.lora == nil ? .f32 : .native)
        if let lora = config.lora {
            var rng = SplitMix64(seed: config.seed &+ 2)
            language.model.addLoRA(rank: lora.rank, alpha: lora.alpha, targets: config.loraTargets, seed: config.seed, rng: &rng)
        }
        let llava = try alignedModel(language)
        if config.lora == nil {
            llava.freezeAll(except: [.projector, .languageModel])
        } else {
            llava.freezeAll(except: [.projector])
            for (name, tensor) in llava.parameters(of: .languageModel) where name.contains(".lora_") { tensor.setRequiresGrad(true) }
        }
        let mixtureURL = output.appendingPathComponent("mixtures/\(spec.name).json")
        let mixture = try buildMixture(spec, world, data: data)
        try FileManager.default.createDirectory(at: mixtureURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try mixture.write(to: mixtureURL)
        let template = try BuiltinTemplates.named(config.template)
        let bos = addsBOS(language.tokenizer)
        let examples = try mixture.records.map {
            try Example($0, template: template, tokenizer: language.tokenizer, imagePlaceholder: llava.config.imageTokenIndex,
                        addBOS: bos)
        }
        guard let stage = try train(name, LlavaTrainingModel(llava, images: world.pixels), examples, config.instruct,
                                    tokenizer: language.tokenizer, llava: llava) else { return nil }
        if config.saveModels {
            let saved = output.appendingPathComponent("models/\(spec.name)")
            try Self.saveHuggingFace(llava, tokenizer: language.tokenizer, processor: world.pixels.processor,
                                     template: template, to: saved)
            note("[\(name)] saved in the Hugging Face LLaVA layout: \(saved.path)")
        }
        try Self.writeJSON(stage, to: done)
        let scores = try evaluate(spec.name, world: world, data: data, manifest: Mixture.manifestURL(for: mixtureURL),
                                  includeVision: true) { _, template in
            LlavaScorer(model: llava, tokenizer: language.tokenizer, template: template,
                        imageProcessor: world.pixels.processor, identity: "smollm2-llava \(spec.name)")
        }
        return .init(name: spec.name, languageFraction: spec.languageFraction, scores: scores, training: stage)
    }

    /// The mixture `spec` over the real language sets, the world's text scene tasks (language) and image scene
    /// tasks (vision); the world's generic micro instructions are left out (SmolLM2 already follows instructions).
    func buildMixture(_ spec: SmolLM2ExperimentConfig.MixtureSpec, _ world: World, data: URL) throws -> Mixture {
        let real = try config.languageData.map { try LanguageInstructionSets.load($0, dataDirectory: data) }
        let scenes = try world.manifest.trainingSources(in: world.url).filter { MicroTaskCluster(rawValue: $0.taskCluster) != nil }
        return try Mixture.build(name: spec.name, sources: real + scenes,
                                 plan: .modalities(languageFraction: spec.languageFraction, total: config.mixtureSize),
                                 seed: config.seed)
    }

    /// Trains one stage in `runs/NAME`, resuming from its newest checkpoint; nil when `stopAfter` stopped it.
    private func train(_ name: String, _ model: LlavaTrainingModel, _ examples: [Example], _ stage: TrainConfig,
                       tokenizer: any Tokenizer, llava: LlavaForConditionalGeneration) throws -> StageResult? {
        var trainConfig = stage
        trainConfig.seed = config.seed
        let run = output.appendingPathComponent("runs/\(name)")
        let collator = Collator(padID: tokenizer.padTokenID ?? tokenizer.eosTokenID ?? 0, maxLength: trainConfig.maxLength,
                                imagePlaceholder: llava.config.imageTokenIndex, imageTokenCount: llava.config.imageSeqLength)
        let trainer = try Trainer(model: model, config: trainConfig, examples: examples, collator: collator,
                                  profile: profile(llava), runDirectory: run, label: name)
        trainer.log.printsProgress = showsTrainingProgress
        let trainable = model.trainableParameters().reduce(0) { $0 + $1.tensor.count }
        note("[\(name)] \(examples.count) examples, \(trainer.totalSteps) steps, \(trainable) trainable parameters")
        let stop = stopAfter.flatMap { $0.stage == name ? $0.step : nil }
        let result = try trainer.run(resume: true, stopAfter: stop) { event in
            if case .resumed(let checkpoint, let step) = event {
                self.note("[\(name)] resumed at step \(step) of \(trainer.totalSteps) from \(checkpoint.path)")
            }
        }
        guard result.efficiency.optimizerSteps >= trainer.totalSteps else {
            note("[\(name)] stopped after step \(result.efficiency.optimizerSteps); run again to continue")
            return nil
        }
        return StageResult(name: name, efficiency: result.efficiency, losses: try Self.lossCurve(run))
    }

    /// The run's loss curve from its log (across resumes: the last record of each step).
    static func lossCurve(_ run: URL) throws -> [LossPoint] {
        let url = run.appendingPathComponent("train_log.jsonl")
        var byStep: [Int: Double] = [:]
        let text = String(decoding: try InputFile.read(url, allowEmpty: true), as: UTF8.self)
        for line in text.split(separator: "\n") {
            guard let record = try? JSONDecoder().decode(StepRecord.self, from: Data(line.utf8)) else { continue }
            byStep[record.step] = Double(record.loss)
        }
        return byStep.keys.sorted().map { LossPoint(step: $0, loss: byStep[$0]!) }
    }

    /// Saves `llava` (Float32 language model) in the Hugging Face LLaVA layout with its tokenizer, image
    /// processor and `template` as the chat template: what transformers' `LlavaForConditionalGeneration` and
    /// `AutoProcessor` load, and `mlan eval --model` reads back.
    /// - Throws: `CheckpointError.unreadable` naming the directory.
    public static func saveHuggingFace(_ llava: LlavaForConditionalGeneration, tokenizer: any Tokenizer,
                                       processor: CLIPImageProcessor, template: any ConversationTemplate, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try llava.save(to: url, tokenizer: tokenizer, imageProcessor: processor, chatTemplate: JinjaChatTemplate.source(for: template))
    }
}
