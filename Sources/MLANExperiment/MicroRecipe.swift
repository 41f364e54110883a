import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTrain

/// The micro world experiment's settings: world size, model shapes, the stages' hyper-parameters and the
/// stage-2 mixtures. `Configs/micro.json` holds the defaults as JSON; `quick` is the sub-minute smoke run.
public struct MicroRecipe: Codable, Sendable {
    /// One stage-2 mixture: its name and the share of language-only examples.
    public struct MixtureSpec: Codable, Sendable, Equatable {
        public var name: String
        public var languageFraction: Double
        /// A positive control: the mixture also trains on the held-out clusters (the world's `control/` files,
        /// `control_per_cluster` examples each), so its held-out cells show whether the model can learn those tasks at
        /// all. The evaluator marks them seen; they are never averaged. JSON `"control": true`; false when absent.
        public var control: Bool
        /// Examples in this mixture; nil (absent in JSON) takes the recipe's `mixture_size`.
        public var size: Int?

        public init(name: String, languageFraction: Double, control: Bool = false, size: Int? = nil) {
            self.name = name
            self.languageFraction = languageFraction
            self.control = control
            self.size = size
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            languageFraction = try c.decode(Double.self, forKey: .languageFraction)
            control = try c.decodeIfPresent(Bool.self, forKey: .control) ?? false
            size = try c.decodeIfPresent(Int.self, forKey: .size)
        }
    }

    /// Which tokens of a stage-0 corpus line are targets.
    public enum CorpusTargets: String, Codable, Sendable {
        /// Every token, as plain pretraining.
        case all
        /// All but the scene description a line opens with: the random list of objects is context, what the line
        /// says about it (facts, answers) is the target. Captions stay targets throughout.
        case afterDescription = "after_description"
        /// Only the answers of the reading lines (`question: … answer: X`) and their closing `</s>`; the fact lines
        /// are left out of stage 0 and captions stay targets throughout (stage 1 aligns images to their words).
        /// In the demo it reads no better per second of stage 0 than `afterDescription` (Docs/RECIPE.md, "What stage
        /// 0 teaches, and whether a pretrained reader answers the held-out clusters").
        case answers
    }

    /// One run per seed: each seeds the world, the initialisation and the data order.
    public var seeds: [UInt64] = [42, 43, 44]
    /// The world's size per seed.
    public var counts = MicroWorldCounts(captions: 800, corpusScenes: 320, trainPerCluster: 160, evalPerCluster: 40)
    /// Objects per box, `[lowest, highest]` within 1...4 (1...2 keeps scene descriptions short enough for the
    /// micro model to learn in minutes).
    public var objectsPerBox = [1, 2]
    /// Question-and-answer pairs about each stage-0 corpus scene (the corpus's reading lines).
    public var corpusQuestions = 1
    /// Generic conjunction lookups in stage 0 (``ConjunctionLookup``: lists of things, each asked for by two of
    /// its words, four questions a list).
    public var conjunctionLookups = 0
    /// How scene descriptions and captions name objects. One word per object (`compound`), as an image gives each
    /// object one patch: with three words the micro Llama never learns to read a scene within the budget
    /// (Docs/RECIPE.md, "One word per object").
    public var objectWords = ObjectWords.compound
    /// Which corpus tokens stage 0 predicts. The description's tokens are unpredictable (a random scene), and with
    /// them as targets the reading signal drowns (Docs/RECIPE.md, "One word per object").
    public var corpusTargets = CorpusTargets.afterDescription
    /// Scenes of stage 0's lookup warm-up (`lookups.txt`, ``MicroWorld/lookups(scenes:)``): before the corpus, the
    /// language model trains on scene descriptions followed by attribute questions, only the answers as targets.
    /// 0 (the default) skips it.
    public var lookupScenes = 0
    /// Scenes of stage 0's judgement warm-up (after the lookups in `lookups.txt`, ``MicroWorld/judgements(scenes:)``):
    /// scene descriptions followed by yes/no and true/false questions (presence, a box's contents), verdict last,
    /// only the verdicts as targets. 0 (the default) skips it.
    public var judgementScenes = 0
    /// Generic instructions in stage 0's warm-up (`warmup_instructions.json`,
    /// ``MicroWorld/warmupInstructionRecords(count:)``): enough of each generic question to learn to answer it, not
    /// only its format. 0 (the default) adds none.
    public var warmupInstructions = 0
    /// Whether the warm-up runs after the corpus instead of before it. Stage 0's corpus holds no judgement
    /// lines, and 1440 steps of it undo what a judgement warm-up taught (Docs/RECIPE.md, "A judgement warm-up").
    public var warmupAfterCorpus = false
    /// The warm-up's training settings (it runs only when `lookup_scenes`, `judgement_scenes` or
    /// `warmup_instructions` is positive).
    public var lookupWarmup = MicroRecipe.stage(lr: 2e-3, epochs: 1)
    /// The BPE's vocabulary (and the language model's): 640 leaves room for every compound object name.
    public var vocabularySize = 640
    /// The language model's shape.
    public var language = LlamaConfig(vocabSize: 640, hiddenSize: 128, intermediateSize: 320, numHiddenLayers: 3,
                                      numAttentionHeads: 4, numKeyValueHeads: 2, rmsNormEps: 1e-5,
                                      maxPositionEmbeddings: 384, tieWordEmbeddings: true)
    /// 128 × 32 images in 16-pixel patches: 16 image tokens, NLVR's 4:1 aspect (its 400 × 100 images fit as is).
    public var vision = CLIPVisionConfig(hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2,
                                         numAttentionHeads: 4, imageSize: 32, patchSize: 16, hiddenAct: .gelu)
    /// The tower layer whose patch tokens the projector reads: -2 (LLaVA's choice for CLIP's contrastive last
    /// layer) by default; -1 uses every layer of a tower trained here. Any index from -(layers + 1), the
    /// embeddings, to -1.
    public var visionFeatureLayer = -2
    /// Whether stage 1 also trains the language model. LLaVA freezes it, since a pretrained LLM already reads
    /// language and its projector only has to map the image into it; the micro model never saw a projected image.
    public var alignTrainsLanguageModel = false
    /// Whether stage 1 also trains a pretrained tower (`tower_pretrain`), so that with the language model frozen the
    /// tower and projector together learn to put the image where the language model already reads. A tower not
    /// pretrained always trains in stage 1.
    public var alignTrainsTower = false
    /// Stage-0 warm-up examples (lookups, judgements, generic instructions) replayed in stage 1 beside the captions,
    /// a seeded draw without replacement, so that a stage 1 that trains the language model keeps what the warm-up
    /// taught it. 0 (the default) replays none.
    public var alignReplay = 0
    /// Stage-0 pretraining examples (corpus lines and generic instructions) replayed in a warm-up that follows the
    /// corpus, a seeded draw without replacement, so that the warm-up keeps what the corpus taught: without it the
    /// judgement warm-up leaves a language model that no longer writes captions (Docs/RECIPE.md, "The judgement
    /// warm-up erases the corpus"). 0 (the default) replays none.
    public var warmupReplay = 0
    /// Stage 0: language-model pretraining on the world's corpus and generic instructions.
    public var pretrain = MicroRecipe.stage(lr: 2e-3, epochs: 6)
    /// Pretraining of the vision tower before stage 1, as CLIP is pretrained before LLaVA: on the caption images, a
    /// linear head over the tower layer `vision_feature_layer` learns how many objects of each kind each box holds
    /// (none, one, two or more), and is then thrown away. Stage 1 then trains only the projector, as LLaVA's does.
    /// nil (absent in JSON, the default): no pretraining, and stage 1 trains the tower from scratch.
    public var towerPretrain: TrainConfig?
    /// Stage 1: alignment on captions (`plain` template); the projector and, unless pretrained, the tower train.
    public var align = MicroRecipe.stage(lr: 1e-3, epochs: 2)
    /// Stage 2: instruction tuning (`v1` template); projector and language model train, the tower is frozen.
    public var instruct = MicroRecipe.stage(lr: 2e-3, epochs: 4)
    /// Examples per stage-2 mixture (a mixture's own `size` overrides it).
    public var mixtureSize = 640
    /// Held-out examples per cluster and modality in the world's `control/` files, from which control mixtures draw
    /// beside the trained clusters; nil (absent in JSON) takes `counts.trainPerCluster`.
    public var controlPerCluster: Int?
    /// The stage-2 mixtures; "none" (the aligned model, untuned) is always evaluated too. The last, "control", is a
    /// positive control that also trains on the held-out clusters (its cells are seen, never averaged).
    public var mixtures = [MixtureSpec(name: "mlan", languageFraction: 1.0),
                           MixtureSpec(name: "mlan_v", languageFraction: 0.875),
                           MixtureSpec(name: "vision_heavy", languageFraction: 0.1),
                           MixtureSpec(name: "control", languageFraction: 0.5, control: true)]
    /// Documents evaluated per task (a seeded subset per seed).
    public var evalLimit = 40
    /// Statements of the real NLVR test set evaluated per seed (image permutation 0, seeded subset); 0 skips NLVR.
    public var nlvrLimit = 60
    /// Trained clusters asked on images as the modality-transfer block (never averaged as zero-shot).
    public var transferClusters = ["counting", "attribute"]

    /// The demo's defaults. The embeddings start at 1/sqrt(hidden) rather than Hugging Face's 0.02, which suits
    /// models thousands wide: at 128 wide, 0.02 delays attention by content by hundreds of steps (Docs/RECIPE.md).
    public init() {
        vision.imageWidth = 128
        language.initializerRange = 0.0884
    }

    static func stage(lr: Double, epochs: Int) -> TrainConfig {
        var c = TrainConfig()
        c.learningRate = lr
        c.globalBatchSize = 32
        c.microBatchSize = 16
        c.epochs = epochs
        c.warmupRatio = 0.03
        c.maxGradNorm = 1
        c.maxLength = 320
        c.logEvery = 5
        return c
    }

    /// A sub-minute smoke run of the whole pipeline (the test suite's): two seeds, tiny counts.
    public static var quick: MicroRecipe {
        var r = MicroRecipe()
        r.seeds = [42, 43]
        r.counts = MicroWorldCounts(captions: 48, corpusScenes: 16, trainPerCluster: 12, evalPerCluster: 6)
        r.vocabularySize = 320
        r.language.vocabSize = 320
        r.transferClusters = ["counting"]
        r.conjunctionLookups = 16  // every stage-0 source and stage, whatever the default
        r.lookupScenes = 16
        r.judgementScenes = 16
        r.warmupInstructions = 16
        r.alignReplay = 8
        r.towerPretrain = stage(lr: 1e-3, epochs: 1)
        for stage in [\MicroRecipe.pretrain, \.align, \.instruct] { r[keyPath: stage].epochs = 1 }
        r.mixtureSize = 48
        r.evalLimit = 6
        r.nlvrLimit = 6
        return r
    }

    /// Checks every setting a recipe file can reach before anything runs.
    /// - Throws: `ExperimentError.invalidSetting` naming the field.
    public func validate() throws {
        func fail(_ field: String, _ reason: String) -> ExperimentError { .invalidSetting(field: field, reason: reason) }
        guard !seeds.isEmpty else { throw fail("seeds", "list at least one seed") }
        guard Set(seeds).count == seeds.count else { throw fail("seeds", "\(seeds) repeats a seed") }
        guard objectsPerBox.count == 2, let low = objectsPerBox.first, let high = objectsPerBox.last,
              1 <= low, low <= high, high <= 4 else {
            throw fail("objects_per_box", "expected [lowest, highest] within 1...4, got \(objectsPerBox)")
        }
        do { try counts.validate() } catch { throw fail("counts", InputFile.reason(for: error)) }
        guard (260...65_536).contains(vocabularySize) else {
            throw fail("vocabulary_size", "\(vocabularySize) must lie in 260...65536 (256 bytes and the special tokens)")
        }
        guard vision.imageSize > 0, vision.width > 0, vision.patchSize > 0, vision.imageSize % vision.patchSize == 0,
              vision.width % vision.patchSize == 0, vision.hiddenSize % max(vision.numAttentionHeads, 1) == 0,
              vision.numAttentionHeads > 0 else {
            throw fail("vision", "image sizes and the hidden size must be positive multiples of the patch size and head count")
        }
        guard language.hiddenSize > 0, language.numAttentionHeads > 0, language.numKeyValueHeads > 0,
              language.hiddenSize % language.numAttentionHeads == 0,
              language.numAttentionHeads % language.numKeyValueHeads == 0 else {
            throw fail("language", "hidden_size must divide into the attention heads, and those into the key-value heads")
        }
        guard (1...64).contains(corpusQuestions) else {
            throw fail("corpus_questions", "\(corpusQuestions) must lie in 1...64")
        }
        guard (0...MicroWorldCounts.maximum).contains(conjunctionLookups) else {
            throw fail("conjunction_lookups", "\(conjunctionLookups) must lie in 0...\(MicroWorldCounts.maximum)")
        }
        guard mixtureSize > 0 else { throw fail("mixture_size", "must be positive, got \(mixtureSize)") }
        guard !mixtures.isEmpty else { throw fail("mixtures", "list at least one stage-2 mixture") }
        for (index, mixture) in mixtures.enumerated() {
            guard (0...1).contains(mixture.languageFraction) else {
                throw fail("mixtures[\(index)].language_fraction", "\(mixture.languageFraction) is outside 0...1")
            }
            if let size = mixture.size, size <= 0 { throw fail("mixtures[\(index)].size", "must be positive, got \(size)") }
        }
        if let count = controlPerCluster, !(1...MicroWorldCounts.maximum).contains(count) {
            throw fail("control_per_cluster", "\(count) must lie in 1...\(MicroWorldCounts.maximum)")
        }
        guard Set(mixtures.map(\.name)).count == mixtures.count, !mixtures.contains(where: { $0.name == "none" }) else {
            throw fail("mixtures", "names must be unique and not \"none\"")
        }
        guard evalLimit > 0 else { throw fail("eval_limit", "must be positive, got \(evalLimit)") }
        guard nlvrLimit >= 0 else { throw fail("nlvr_limit", "must not be negative, got \(nlvrLimit)") }
        for cluster in transferClusters {
            guard let known = MicroTaskCluster(rawValue: cluster), !known.isHeldOut else {
                throw fail("transfer_clusters", "\(cluster) is not a trained cluster (\(MicroTaskCluster.trained.map(\.rawValue)))")
            }
        }
        guard (0...MicroWorldCounts.maximum).contains(lookupScenes) else {
            throw fail("lookup_scenes", "\(lookupScenes) must lie in 0...\(MicroWorldCounts.maximum)")
        }
        guard (0...MicroWorldCounts.maximum).contains(judgementScenes) else {
            throw fail("judgement_scenes", "\(judgementScenes) must lie in 0...\(MicroWorldCounts.maximum)")
        }
        guard (0...MicroWorldCounts.maximum).contains(warmupInstructions) else {
            throw fail("warmup_instructions", "\(warmupInstructions) must lie in 0...\(MicroWorldCounts.maximum)")
        }
        guard (0...MicroWorldCounts.maximum).contains(alignReplay) else {
            throw fail("align_replay", "\(alignReplay) must lie in 0...\(MicroWorldCounts.maximum)")
        }
        guard alignReplay == 0 || lookupScenes + judgementScenes + warmupInstructions > 0 else {
            throw fail("align_replay", "replays stage 0's warm-up, but lookup_scenes, judgement_scenes and "
                + "warmup_instructions are all 0")
        }
        guard (0...MicroWorldCounts.maximum).contains(warmupReplay) else {
            throw fail("warmup_replay", "\(warmupReplay) must lie in 0...\(MicroWorldCounts.maximum)")
        }
        guard warmupReplay == 0 || (warmupAfterCorpus && lookupScenes + judgementScenes + warmupInstructions > 0) else {
            throw fail("warmup_replay", "replays the corpus in a warm-up that follows it, but warmup_after_corpus is false "
                + "or lookup_scenes, judgement_scenes and warmup_instructions are all 0")
        }
        guard (-(vision.numHiddenLayers + 1)...(-1)).contains(visionFeatureLayer) else {
            throw fail("vision_feature_layer", "\(visionFeatureLayer) must lie in -\(vision.numHiddenLayers + 1)...-1 "
                + "(the embeddings to the last of the tower's \(vision.numHiddenLayers) layers)")
        }
        let stages = [("pretrain", pretrain), ("lookup_warmup", lookupWarmup), ("align", align), ("instruct", instruct)]
            + (towerPretrain.map { [("tower_pretrain", $0)] } ?? [])
        for (field, stage) in stages {
            // The tower's examples are one image and its labels: the language model's context does not bound them.
            let context = field == "tower_pretrain" ? Int.max : language.maxPositionEmbeddings
            guard stage.epochs > 0, stage.microBatchSize > 0, stage.globalBatchSize >= stage.microBatchSize,
                  stage.maxLength > 0, stage.maxLength <= context else {
                throw fail(field, "epochs, batch sizes and max_length must be positive, the global batch at least the micro "
                    + "batch, and max_length at most max_position_embeddings (\(language.maxPositionEmbeddings))")
            }
        }
    }

    /// The scene generator the recipe's `objects_per_box` describes.
    /// - Throws: `ExperimentError.invalidSetting` when the range is malformed.
    func sceneGenerator() throws -> SceneGenerator {
        guard objectsPerBox.count == 2, let low = objectsPerBox.first, let high = objectsPerBox.last,
              1 <= low, low <= high, high <= 4 else {
            throw ExperimentError.invalidSetting(field: "objects_per_box",
                                                 reason: "expected [lowest, highest] within 1...4, got \(objectsPerBox)")
        }
        return SceneGenerator(objectsPerBox: low...high)
    }

    enum CodingKeys: String, CodingKey {
        case seeds, counts, objectsPerBox = "objects_per_box", vocabularySize = "vocabulary_size", language, vision
        case pretrain, align, instruct, mixtureSize = "mixture_size", mixtures, evalLimit = "eval_limit"
        case nlvrLimit = "nlvr_limit", transferClusters = "transfer_clusters", corpusQuestions = "corpus_questions"
        case conjunctionLookups = "conjunction_lookups", objectWords = "object_words", corpusTargets = "corpus_targets"
        case lookupScenes = "lookup_scenes", lookupWarmup = "lookup_warmup", warmupInstructions = "warmup_instructions"
        case judgementScenes = "judgement_scenes", warmupAfterCorpus = "warmup_after_corpus"
        case controlPerCluster = "control_per_cluster", visionFeatureLayer = "vision_feature_layer"
        case alignTrainsLanguageModel = "align_trains_language_model", towerPretrain = "tower_pretrain"
        case alignReplay = "align_replay", alignTrainsTower = "align_trains_tower", warmupReplay = "warmup_replay"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.seeds, &seeds); try read(.counts, &counts); try read(.vocabularySize, &vocabularySize)
        try read(.objectsPerBox, &objectsPerBox); try read(.transferClusters, &transferClusters)
        try read(.nlvrLimit, &nlvrLimit)
        try read(.language, &language); try read(.vision, &vision); try read(.pretrain, &pretrain)
        try read(.align, &align); try read(.instruct, &instruct); try read(.mixtureSize, &mixtureSize)
        try read(.mixtures, &mixtures); try read(.evalLimit, &evalLimit); try read(.corpusQuestions, &corpusQuestions)
        try read(.conjunctionLookups, &conjunctionLookups); try read(.objectWords, &objectWords)
        try read(.corpusTargets, &corpusTargets); try read(.lookupScenes, &lookupScenes)
        try read(.lookupWarmup, &lookupWarmup); try read(.warmupInstructions, &warmupInstructions)
        try read(.judgementScenes, &judgementScenes); try read(.warmupAfterCorpus, &warmupAfterCorpus)
        try read(.visionFeatureLayer, &visionFeatureLayer); try read(.alignTrainsLanguageModel, &alignTrainsLanguageModel)
        try read(.alignReplay, &alignReplay); try read(.alignTrainsTower, &alignTrainsTower)
        try read(.warmupReplay, &warmupReplay)
        controlPerCluster = try c.decodeIfPresent(Int.self, forKey: .controlPerCluster)
        towerPretrain = try c.decodeIfPresent(TrainConfig.self, forKey: .towerPretrain)
        language.vocabSize = vocabularySize
    }

    /// Reads and validates a recipe from JSON (fields left out keep the defaults above).
    /// - Throws: `ExperimentError.invalidSetting` naming the file, or the field that is out of range.
    public static func load(from url: URL) throws -> MicroRecipe {
        let recipe: MicroRecipe
        do { recipe = try JSONDecoder().decode(MicroRecipe.self, from: InputFile.read(url)) } catch {
            throw ExperimentError.invalidSetting(field: url.path, reason: InputFile.reason(for: error))
        }
        do { try recipe.validate() } catch let ExperimentError.invalidSetting(field, reason) {
            throw ExperimentError.invalidSetting(field: "\(url.path): \(field)", reason: reason)
        }
        return recipe
    }
}
