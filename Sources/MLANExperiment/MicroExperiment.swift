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
    /// Whether each stage continues from its newest checkpoint in `output` (an interrupted run's) instead of
    /// starting over; a checkpoint from a run on other examples or settings is refused. Results do not depend on it.
    public var resumesStages = false
    /// How many jobs run at once, each on one thread (default: one per core). A seed's preparation (world,
    /// tokenizer, stages 0 and 1, the untuned evaluation) is one job and each of its stage-2 mixtures another, so
    /// two cores stay busy with any number of seeds. Results do not depend on it.
    public var concurrentJobs = ProcessInfo.processInfo.activeProcessorCount

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
        // Jobs: every seed's preparation first, then every (seed, mixture) tuning run, which waits for its seed's
        // preparation (always already taken by a worker, so waiting cannot deadlock). The reports so far are
        // rewritten as each seed finishes, so an interrupted run still leaves the finished seeds' table.
        let seeds = recipe.seeds.count, mixtures = recipe.mixtures.count
        let prepared = (0..<seeds).map { _ in Awaited<PreparedSeed>() }
        let tuned = Mutex<[Int: [Int: RecipeRun]]>([:])
        let finished = Mutex<[Int: SeedRun]>([:])
        func finish(_ index: Int, _ seed: PreparedSeed, _ recipes: [RecipeRun]) throws {
            try finished.withLock { runs in
                runs[index] = SeedRun(seed: seed.seed, stages: seed.stages + recipes.compactMap(\.training),
                                      recipes: [seed.untuned] + recipes, alignment: seed.alignment)
                let elapsed = Date().timeIntervalSince(started)
                try ExperimentReport(recipe: recipe, runs: runs.keys.sorted().compactMap { runs[$0] }, wallSeconds: elapsed)
                    .write(to: output)
                note(String(format: "%@ done; %.0f s elapsed, %d of %d seeds finished", seed.tag, elapsed, runs.count, seeds))
            }
        }
        try IndependentJobs.run(count: seeds * (1 + mixtures), workers: concurrentJobs) { job in
            guard job >= seeds else {
                let tag = "[seed \(job + 1)/\(seeds)]"
                let result = Result { try prepare(recipe.seeds[job], tag: tag, evaluator: evaluator) }
                prepared[job].fulfil(result)
                _ = try result.get()
                return
            }
            let (index, mixture) = ((job - seeds) / mixtures, (job - seeds) % mixtures)
            let seed = try prepared[index].value()
            let run = try tune(seed, recipe.mixtures[mixture], evaluator: evaluator)
            let all = tuned.withLock { runs -> [RecipeRun]? in
                runs[index, default: [:]][mixture] = run
                let done = runs[index] ?? [:]
                return done.count == mixtures ? (0..<mixtures).compactMap { done[$0] } : nil
            }
            if let all { try finish(index, seed, all) }
        }
        let runs = finished.withLock { runs in runs.keys.sorted().compactMap { runs[$0] } }
        let report = ExperimentReport(recipe: recipe, runs: runs, wallSeconds: Date().timeIntervalSince(started))
        try report.write(to: output)
        return report
    }

    private func note(_ message: String) { noteLock.withLock { onNote(message) } }

    /// A seed's micro LLaVA with freshly initialised weights (every job builds its own, so jobs share no tensors).
    private func model(seed: UInt64, vocabularySize: Int, eos: Int) -> LlavaForConditionalGeneration {
        var language = recipe.language
        language.vocabSize = vocabularySize
        language.eosTokenID = eos
        language.bosTokenID = nil
        var rng = SplitMix64(seed: seed)
        return LlavaForConditionalGeneration(languageModel: LlamaForCausalLM(language, rng: &rng),
                                             visionTower: CLIPVisionModel(recipe.vision, rng: &rng),
                                             projectorType: .mlp2xGELU, visionFeatureLayers: [recipe.visionFeatureLayer],
                                             seed: seed &+ 1)
    }

    /// One seed up to its aligned model, in `seed-N/`: the world, its tokenizer, stages 0 and 1, and the untuned
    /// ("none") evaluation.
    private func prepare(_ seed: UInt64, tag: String, evaluator: any RecipeEvaluator) throws -> PreparedSeed {
        let folder = output.appendingPathComponent("seed-\(seed)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The world and its tokenizer.
        let worldURL = folder.appendingPathComponent("world")
        let vision = recipe.vision
        note("\(tag) [world] generating the micro world (seed \(seed)) in \(worldURL.path)")
        let generator = try MicroWorld(seed: seed, imageSize: .init(width: vision.width, height: vision.imageSize),
                                       scenes: try recipe.sceneGenerator(), corpusQuestions: recipe.corpusQuestions,
                                       conjunctionLookups: recipe.conjunctionLookups, objectWords: recipe.objectWords,
                                       lookupScenes: recipe.lookupScenes, judgementScenes: recipe.judgementScenes,
                                       warmupInstructions: recipe.warmupInstructions,
                                       controlPerCluster: recipe.mixtures.contains(where: \.control)
                                           ? recipe.controlPerCluster ?? recipe.counts.trainPerCluster : 0)
        let world = try generator.write(to: worldURL, counts: recipe.counts)
        // Every mixture is drawn here, so one that does not fit the world's pools fails before stages 0 and 1.
        let mixtures = try Dictionary(uniqueKeysWithValues: recipe.mixtures.map {
            ($0.name, try mixture($0, world: world, at: worldURL, seed: seed))
        })
        let tokenizer = try Self.trainTokenizer(world: worldURL, manifest: world, vocabularySize: recipe.vocabularySize)
        try tokenizer.write(to: folder.appendingPathComponent("tokenizer.json"))
        let split = Self.objectNamesSplit(by: tokenizer, words: recipe.objectWords)
        if !split.isEmpty {
            note("\(tag) [tokenizer] note: \(split.count) object names take more than one token (e.g. \(split[0])); "
                + "a larger vocabulary_size than \(recipe.vocabularySize) keeps each object one token")
        }
        guard let eos = tokenizer.eosTokenID, let pad = tokenizer.padTokenID else {
            throw ExperimentError.invalidSetting(field: "tokenizer", reason: "the trained tokenizer lacks </s> or <pad>")
        }
        note("\(tag) [tokenizer] \(tokenizer.vocabularySize) tokens")

        let llava = model(seed: seed, vocabularySize: tokenizer.vocabularySize, eos: eos)
        let imageToken = llava.config.imageTokenIndex
        let pixels = PixelStore(root: worldURL, width: vision.width, height: vision.imageSize)
        let collator = Collator(padID: pad, maxLength: recipe.pretrain.maxLength,
                                imagePlaceholder: imageToken, imageTokenCount: llava.config.imageSeqLength)
        var prepared = PreparedSeed(seed: seed, tag: tag, folder: folder, worldURL: worldURL, world: world,
                                    tokenizer: tokenizer, eos: eos, pixels: pixels, collator: collator)
        prepared.tasks = try tasks(world: world, at: worldURL)
        prepared.mixtures = mixtures

        llava.freezeAll(except: [.languageModel])
        // Stage 0's warm-up, before the corpus or after it: scene lookups and judgements (answers as targets) and
        // generic instructions (v1, replies as targets).
        var warmupExamples: [Example] = []
        if let lookups = world.lookups {
            let lines = try String(contentsOf: worldURL.appendingPathComponent(lookups), encoding: .utf8)
            warmupExamples += lines.split(separator: "\n").enumerated().compactMap { index, line in
                Self.answerTokens(line, tokenizer: tokenizer, eos: eos).map { Example(id: "lookup-\(index)", tokens: $0) }
            }
        }
        // A world file's records as examples: generic instructions in `v1` (stage 0 and its warm-up), captions in
        // `plain` (stage 1 and its probe).
        let examples = { (file: String, template: any ConversationTemplate) in
            try InstructionDataset.load(from: worldURL.appendingPathComponent(file)).records.map {
                try Example($0, template: template, tokenizer: tokenizer, imagePlaceholder: imageToken, addBOS: false)
            }
        }
        if let instructions = world.warmupInstructions { warmupExamples += try examples(instructions, VicunaTemplate()) }
        // Stage 0: the corpus (targets as `corpus_targets` says) and generic instructions (v1, replies as targets).
        let corpus = try String(contentsOf: worldURL.appendingPathComponent(MicroWorld.corpusFile), encoding: .utf8)
        var pretrainExamples = corpus.split(separator: "\n").enumerated().compactMap { index, line in
            Self.corpusTokens(line, tokenizer: tokenizer, eos: eos, targets: recipe.corpusTargets)
                .map { Example(id: "corpus-\(index)", tokens: $0) }
        }
        pretrainExamples += try examples(MicroWorld.pretrainInstructionsFile, VicunaTemplate())
        // The replays are drawn now, so a count their source cannot fill fails before any training.
        let replay = try Self.replay(recipe.alignReplay, of: warmupExamples, seed: seed, field: "align_replay",
                                     source: "stage 0's warm-up")
        let warmupReplay = try Self.replay(recipe.warmupReplay, of: pretrainExamples, seed: seed, field: "warmup_replay",
                                           source: "stage 0's corpus and generic instructions")
        let warmUp = { [self] in
            guard !warmupExamples.isEmpty else { return }
            prepared.stages.append(try train("stage0_warmup", prepared, llava.languageModel, warmupExamples + warmupReplay,
                                             recipe.lookupWarmup, profile: nil))
        }
        if !recipe.warmupAfterCorpus { try warmUp() }
        prepared.stages.append(try train("stage0_pretrain", prepared, llava.languageModel, pretrainExamples, recipe.pretrain,
                                         profile: nil))
        if recipe.warmupAfterCorpus { try warmUp() }

        if let stage = recipe.towerPretrain {
            llava.freezeAll(except: [.visionTower])
            try pretrainTower(llava.visionTower, stage, world: generator, seed: &prepared)
        }
        // Stage 1: alignment on captions with the plain template. A tower not pretrained starts from scratch, so
        // it trains here too.
        var aligned: Set<LlavaComponent> = recipe.towerPretrain == nil || recipe.alignTrainsTower
            ? [.projector, .visionTower] : [.projector]
        if recipe.alignTrainsLanguageModel { aligned.insert(.languageModel) }
        llava.freezeAll(except: aligned)
        let aligning = LlavaTrainingModel(llava, images: pixels)
        prepared.stages.append(try train("stage1_align", prepared, aligning,
                                         try examples(MicroWorld.captionsFile, PlainTemplate()) + replay, recipe.align,
                                         profile: ComputeProfile(llava)))
        if let probeFile = world.probeCaptions {
            let alignment = try AlignmentProbe.measure(aligning, examples: try examples(probeFile, PlainTemplate()),
                                                       collator: collator)
            prepared.alignment = alignment
            note(String(format: "%@ [stage1_align] caption loss on %d new scenes: %.3f with their images, %.3f with "
                        + "another scene's", tag, alignment.captions, alignment.matchedLoss, alignment.mismatchedLoss))
        }
        prepared.aligned = Dictionary(uniqueKeysWithValues: llava.namedParameters().map { ($0.name, $0.tensor.scalars) })

        // The untuned aligned model is the "none" recipe.
        prepared.untuned = RecipeRun(name: "none", languageFraction: nil,
                                     scores: try evaluate(llava, "none", prepared, manifest: nil, evaluator: evaluator),
                                     training: nil)
        return prepared
    }

    /// One stage-2 mixture of a prepared seed: a fresh model holding the aligned weights, tuned and evaluated.
    private func tune(_ seed: PreparedSeed, _ spec: MicroRecipe.MixtureSpec,
                      evaluator: any RecipeEvaluator) throws -> RecipeRun {
        let llava = model(seed: seed.seed, vocabularySize: seed.tokenizer.vocabularySize, eos: seed.eos)
        for (name, tensor) in llava.namedParameters() {
            guard let values = seed.aligned[name] else { preconditionFailure("aligned weights lack \(name)") }
            tensor.assignInPlace(values)
        }
        guard let mixture = seed.mixtures[spec.name] else { preconditionFailure("no mixture drawn for \(spec.name)") }
        let mixtureURL = seed.folder.appendingPathComponent("mixtures/\(spec.name).json")
        try FileManager.default.createDirectory(at: mixtureURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try mixture.write(to: mixtureURL)
        let examples = try mixture.records.map {
            try Example($0, template: VicunaTemplate(), tokenizer: seed.tokenizer,
                        imagePlaceholder: llava.config.imageTokenIndex, addBOS: false)
        }
        llava.freezeAll(except: [.projector, .languageModel])
        let stage = try train("stage2_\(spec.name)", seed, LlavaTrainingModel(llava, images: seed.pixels), examples,
                              recipe.instruct, profile: ComputeProfile(llava))
        let scores = try evaluate(llava, spec.name, seed, manifest: Mixture.manifestURL(for: mixtureURL), evaluator: evaluator)
        return RecipeRun(name: spec.name, languageFraction: spec.languageFraction, scores: scores, training: stage)
    }

    /// The stage-2 mixture `spec` draws from the world's training files (and its control files for a control).
    /// - Throws: `ExperimentError.invalidSetting` naming the mixture when its pools hold too few records.
    private func mixture(_ spec: MicroRecipe.MixtureSpec, world: MicroWorldManifest, at worldURL: URL,
                         seed: UInt64) throws -> Mixture {
        var sources = try world.trainingSources(in: worldURL)
        if spec.control { sources += try world.controlSources(in: worldURL) }
        do {
            return try Mixture.build(name: spec.name, sources: sources,
                                     plan: .modalities(languageFraction: spec.languageFraction, total: spec.size ?? recipe.mixtureSize),
                                     seed: seed)
        } catch let error as MixtureError {
            let index = recipe.mixtures.firstIndex(of: spec) ?? 0
            throw ExperimentError.invalidSetting(field: "mixtures[\(index)].size", reason: "\(error) (a smaller size, or "
                + "more counts.trainPerCluster or control_per_cluster, fits the world's pools)")
        }
    }

    /// Scores a model on the seed's micro-world tasks and real NLVR, logging every answer to `samples/NAME`.
    private func evaluate(_ llava: LlavaForConditionalGeneration, _ name: String, _ seed: PreparedSeed, manifest: URL?,
                          evaluator: any RecipeEvaluator) throws -> [TaskScore] {
        let (worldTasks, nlvrTasks) = seed.tasks
        note("\(seed.tag) [eval \(name)] \(worldTasks.count) micro-world tasks × \(recipe.evalLimit) documents"
            + (nlvrTasks.isEmpty ? "" : ", NLVR × \(recipe.nlvrLimit)"))
        let samples = seed.folder.appendingPathComponent("samples/\(name)")
        var scores = try evaluator.evaluate(llava, tokenizer: seed.tokenizer, images: seed.pixels, tasks: worldTasks,
                                            limit: recipe.evalLimit, seed: seed.seed, trainingManifest: manifest,
                                            sampleLog: samples)
        if !nlvrTasks.isEmpty {
            scores += try evaluator.evaluate(llava, tokenizer: seed.tokenizer, images: seed.pixels, tasks: nlvrTasks,
                                             limit: recipe.nlvrLimit, seed: seed.seed, trainingManifest: manifest,
                                             sampleLog: samples)
        }
        return scores
    }

    /// The micro-world tasks (held-out clusters in both modalities, then the transfer clusters' language and
    /// vision versions) and the real-NLVR task (none when `nlvrLimit` is 0). Each micro-world task's question-only
    /// baseline draws on its cluster's training and control files in both modalities (the questions are the same);
    /// each vision task has an image-swap twin (``ImageSwapTwin``), written beside it.
    private func tasks(world: MicroWorldManifest, at folder: URL) throws -> (world: [ExperimentTask], nlvr: [ExperimentTask]) {
        let files = world.evaluationFiles.compactMap { file -> (MicroWorldManifest.TaskFile, String)? in
            file.taskDefinition.map { (file, $0) }
        }
        func task(_ file: MicroWorldManifest.TaskFile, _ definition: String, _ block: TaskBlock) throws -> ExperimentTask {
            let records = (world.trainingFiles + world.controlFiles).filter { $0.taskCluster == file.taskCluster }
            let url = folder.appendingPathComponent(definition)
            return ExperimentTask(name: "micro_\(file.name)", source: .definition(url), block: block,
                                  questionOnlyRecords: records.map { folder.appendingPathComponent($0.path) },
                                  swappedImages: file.modality == "vision" ? .definition(try ImageSwapTwin.write(besides: url)) : nil)
        }
        let heldOut = try files.filter { $0.0.heldOut }.map { try task($0.0, $0.1, .heldOut) }
        let transfer = try recipe.transferClusters.flatMap { cluster in
            try files.filter { $0.0.taskCluster == cluster }.map { try task($0.0, $0.1, .transfer) }
        }
        let nlvr = recipe.nlvrLimit > 0 ? [ExperimentTask(name: "nlvr", source: .builtin("nlvr"), block: .heldOut)] : []
        return (heldOut + transfer, nlvr)
    }

    /// Trains one stage in `seed-N/runs/NAME` and returns its loss curve and accounting.
    private func train(_ name: String, _ seed: PreparedSeed, _ model: any TrainableModel, _ examples: [Example],
                       _ stage: TrainConfig, profile: ComputeProfile?, collator: Collator? = nil) throws -> StageResult {
        var config = stage
        config.seed = seed.seed
        note("\(seed.tag) [\(name)] \(examples.count) examples, \(model.trainableParameters().reduce(0) { $0 + $1.tensor.count }) trainable parameters")
        let trainer = try Trainer(model: model, config: config, examples: examples, collator: collator ?? seed.collator, profile: profile,
                                  runDirectory: seed.folder.appendingPathComponent("runs/\(name)"),
                                  label: "\(seed.tag) \(name)")
        trainer.log.printsProgress = showsTrainingProgress
        let result = try trainer.run(resume: resumesStages) { event in
            if case .resumed(_, let step) = event { self.note("\(seed.tag) [\(name)] resumed at step \(step) of \(trainer.totalSteps)") }
        }
        return StageResult(name: name, efficiency: result.efficiency,
                           losses: result.records.map { LossPoint(step: $0.step, loss: Double($0.loss)) })
    }

    /// `count` of an earlier stage's examples for a later one to replay: a draw without replacement seeded by `seed`.
    /// - Throws: `ExperimentError.invalidSetting` naming `field` when `examples` (from `source`) are fewer than `count`.
    static func replay(_ count: Int, of examples: [Example], seed: UInt64, field: String,
                       source: String) throws -> [Example] {
        guard count <= examples.count else {
            throw ExperimentError.invalidSetting(field: field, reason: "\(count) exceeds the \(examples.count) examples of \(source)")
        }
        var rng = SplitMix64(seed: seed &+ 3)
        var indices = Array(examples.indices)
        rng.shuffle(&indices)
        return indices.prefix(count).sorted().map { examples[$0] }
    }

    /// Classes of the tower's pretraining labels: none, one, or two and more objects of a kind in a box.
    static let kindCountClasses = 3

    /// Pretrains `tower` as `stage0_tower`: on the caption images, a head over its `vision_feature_layer` learns
    /// how many objects of each kind each box holds; then notes what it gets right on the probe's new scenes.
    private func pretrainTower(_ tower: CLIPVisionModel, _ stage: TrainConfig, world: MicroWorld,
                               seed: inout PreparedSeed) throws {
        let labelled = { (pairs: [(scene: Scene, record: InstructionRecord)]) in
            pairs.map { scene, record in
                VisionTowerClassifier.example(id: record.id, image: record.images[0],
                                              classes: scene.kindCounts(cappedAt: Self.kindCountClasses - 1))
            }
        }
        var rng = SplitMix64(seed: seed.seed &+ 2)
        let classifier = try VisionTowerClassifier(tower: tower, featureLayer: recipe.visionFeatureLayer,
                                                   slots: Scene.boxCount * Scene.kindCount,
                                                   classes: Self.kindCountClasses, images: seed.pixels, rng: &rng)
        seed.stages.append(try train("stage0_tower", seed, classifier, labelled(world.captions(count: recipe.counts.captions)),
                                     stage, profile: nil, collator: VisionTowerClassifier.collator))
        let probe = labelled(world.probeCaptions(count: recipe.counts.evalPerCluster))
        let (slots, images) = try classifier.accuracy(on: probe)
        let labels = probe.flatMap { $0.tokens.ids.dropFirst() }
        let none = Double(labels.filter { $0 == 0 }.count) / Double(max(labels.count, 1))
        note(String(format: "%@ [stage0_tower] on %d new scenes: %.1f%% of box-and-kind counts right (%.1f%% by "
                    + "answering none throughout), every count right in %.1f%% of scenes", seed.tag, probe.count,
                    100 * slots, 100 * none, 100 * images))
    }

    /// A corpus line's tokens and `</s>`; the first token and, with `.afterDescription`, the opening scene
    /// description are not targets. With `.answers` only a reading line's answers and `</s>` are, a fact line gives
    /// nil and a caption stays a target throughout.
    static func corpusTokens(_ line: Substring, tokenizer: BPETokenizer, eos: Int,
                             targets: MicroRecipe.CorpusTargets) -> TokenizedExample? {
        let end = targets == .all ? nil : CorpusGenerator.sceneDescriptionEnd(in: line)
        if targets == .answers, end != nil { return answerTokens(line, tokenizer: tokenizer, eos: eos) }
        let context = end.map { tokenizer.encode(String(line[..<$0]), addSpecialTokens: false) } ?? []
        let ids = context + tokenizer.encode(String(line[(end ?? line.startIndex)...]), addSpecialTokens: false) + [eos]
        return TokenizedExample(ids: ids, isTarget: ids.indices.map { $0 >= max(1, context.count) })
    }

    /// A reading line (`DESCRIPTION question: Q answer: A question: …`) with only each ` A` and `</s>` as targets;
    /// nil for a line that opens with a description and asks no question (facts).
    static func answerTokens(_ line: Substring, tokenizer: BPETokenizer, eos: Int) -> TokenizedExample? {
        let pieces = line.components(separatedBy: " question: ")
        guard pieces.count > 1 else { return nil }
        var ids = tokenizer.encode(pieces[0], addSpecialTokens: false)
        var isTarget = [Bool](repeating: false, count: ids.count)
        for pair in pieces.dropFirst() {
            guard let split = pair.range(of: " answer: ", options: .backwards) else { return nil }
            let asked = tokenizer.encode(" question: " + pair[..<split.lowerBound] + " answer:", addSpecialTokens: false)
            let said = tokenizer.encode(" " + pair[split.upperBound...], addSpecialTokens: false)
            ids += asked + said
            isTarget += [Bool](repeating: false, count: asked.count) + [Bool](repeating: true, count: said.count)
        }
        return TokenizedExample(ids: ids + [eos], isTarget: isTarget + [true])
    }

    /// The compound object names (``ObjectWords/compound``) the tokenizer splits into several tokens; none with
    /// separate words.
    static func objectNamesSplit(by tokenizer: BPETokenizer, words: ObjectWords) -> [String] {
        guard words == .compound else { return [] }
        return words.allNames.filter { tokenizer.encode(" " + $0, addSpecialTokens: false).count > 1 }
    }

    /// A byte-level BPE trained on all training text (corpus, the warm-up's lookup and judgement lines, generic
    /// instructions of stage 0 and its warm-up, captions, training files; never the evaluation or control files), with
    /// `</s>` as EOS and `<pad>` as padding.
    /// - Throws: file errors naming the file.
    static func trainTokenizer(world: URL, manifest: MicroWorldManifest, vocabularySize: Int) throws -> BPETokenizer {
        var texts: [String] = []
        for file in [MicroWorld.corpusFile] + (manifest.lookups.map { [$0] } ?? []) {
            texts += try String(contentsOf: world.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let files = [MicroWorld.captionsFile] + [manifest.instructions, manifest.warmupInstructions].compactMap { $0 }
            + manifest.trainingFiles.map(\.path)
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
