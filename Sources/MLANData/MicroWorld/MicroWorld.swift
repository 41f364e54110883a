/// The micro world: a seeded generator of NLVR-style scenes and everything the demo experiment trains and
/// evaluates on — a text corpus (stage 0), image captions (stage 1), and instruction tasks in eight clusters,
/// each in a language version (the scene described in the user turn) and a vision version (the scene as an image).
///
/// Everything derives from `seed`: each stream (captions, corpus, each split × cluster × modality) has its own
/// `SplitMix64(seed:label:)`, so changing one count leaves the other streams' examples unchanged, and raising a count
/// only appends examples. Evaluation examples are paired: the language and vision versions of example `i` ask the
/// same question about the same scene.
///
/// ```swift
/// let world = MicroWorld(seed: 42, imageSize: .micro)
/// let manifest = try world.write(to: folder, counts: .demo)  // images, captions, corpus, train/, eval/, world.json
/// let sources = try manifest.trainingSources(in: folder, modality: .language)
/// ```
public struct MicroWorld: Sendable {
    /// The size images are rendered at.
    public struct ImageSize: Sendable, Hashable, Codable {
        public var width: Int
        public var height: Int

        public init(width: Int, height: Int) {
            precondition(width > 0 && height > 0, "image size must be positive, got \(width)x\(height)")
            self.width = width
            self.height = height
        }

        /// NLVR's own size, 400 × 100.
        public static let nlvr = ImageSize(width: 400, height: 100)
        /// The micro model's default, 128 × 32 (NLVR's 4:1 aspect; a box is 32 × 32 pixels).
        public static let micro = ImageSize(width: 128, height: 32)
    }

    /// Which part of the world an example belongs to.
    public enum Split: String, Sendable, Hashable, CaseIterable, Codable {
        /// Training examples: trained clusters only.
        case train
        /// Evaluation examples: every cluster, on scenes of their own.
        case eval
    }

    /// The seed every draw derives from.
    public var seed: UInt64
    /// The size images are rendered at.
    public var imageSize: ImageSize
    /// The scene and question generator.
    public var queries: QueryGenerator
    /// Question-and-answer pairs per corpus scene (see ``CorpusGenerator/questionsPerScene``).
    public var corpusQuestions: Int
    /// Generic conjunction lookups (``ConjunctionLookup``) appended to the stage-0 generic instructions.
    public var conjunctionLookups: Int
    /// How descriptions and captions name objects: three words (the default, as English) or one.
    public var objectWords: ObjectWords
    /// Scenes of the stage-0 lookup warm-up (``lookups(scenes:)``, `lookups.txt`); 0 writes none.
    public var lookupScenes: Int
    /// Scenes of the stage-0 judgement warm-up (``judgements(scenes:)``, after the lookups in `lookups.txt`); 0 writes
    /// none.
    public var judgementScenes: Int
    /// Generic instructions of the stage-0 warm-up (``warmupInstructionRecords(count:)``,
    /// `warmup_instructions.json`); 0 writes none.
    public var warmupInstructions: Int
    /// Training examples per held-out cluster and modality for a positive control (``controlExamples(_:modality:count:)``,
    /// `control/{cluster}_{modality}.json`); 0 writes none.
    public var controlPerCluster: Int

    public init(seed: UInt64 = 42, imageSize: ImageSize = .micro, scenes: SceneGenerator = SceneGenerator(),
                corpusQuestions: Int = 1, conjunctionLookups: Int = 0, objectWords: ObjectWords = .separate,
                lookupScenes: Int = 0, judgementScenes: Int = 0, warmupInstructions: Int = 0,
                controlPerCluster: Int = 0) {
        precondition(corpusQuestions >= 1, "questions per corpus scene must be positive, got \(corpusQuestions)")
        precondition(conjunctionLookups >= 0, "conjunction lookup count must be non-negative, got \(conjunctionLookups)")
        precondition(lookupScenes >= 0, "lookup scene count must be non-negative, got \(lookupScenes)")
        precondition(judgementScenes >= 0, "judgement scene count must be non-negative, got \(judgementScenes)")
        precondition(warmupInstructions >= 0, "warm-up instruction count must be non-negative, got \(warmupInstructions)")
        precondition(controlPerCluster >= 0, "control example count must be non-negative, got \(controlPerCluster)")
        self.seed = seed
        self.imageSize = imageSize
        self.queries = QueryGenerator(scenes: scenes)
        self.corpusQuestions = corpusQuestions
        self.conjunctionLookups = conjunctionLookups
        self.objectWords = objectWords
        self.lookupScenes = lookupScenes
        self.judgementScenes = judgementScenes
        self.warmupInstructions = warmupInstructions
        self.controlPerCluster = controlPerCluster
    }

    /// The renderer for ``imageSize``.
    public var renderer: SceneRenderer { SceneRenderer(width: imageSize.width, height: imageSize.height) }

    /// The first `count` examples of `cluster` in `modality` for `split`. Vision examples name their image
    /// `images/{split}/{cluster}-{index}.png` (the file ``write(to:counts:)`` renders).
    /// Asking for a held-out cluster's training examples is a programming error.
    public func examples(_ cluster: MicroTaskCluster, modality: MicroModality, split: Split,
                         count: Int) -> [MicroExample] {
        precondition(split == .eval || !cluster.isHeldOut,
                     "\(cluster.rawValue) is held out: it has no training examples")
        // Evaluation streams are shared by the two modalities, so both versions of example i match.
        let label = split == .eval ? "eval/\(cluster.rawValue)" : "train/\(cluster.rawValue)/\(modality.rawValue)"
        return examples(cluster, modality: modality, stream: label, prefix: split.rawValue, count: count)
    }

    /// The first `count` training examples of a held-out `cluster` for a positive control: a mixture that trains
    /// on them shows whether the model can learn the cluster at all, so a zero-shot score near chance is not the
    /// task's fault. They come from a stream of their own (`control/{cluster}/{modality}`), never the evaluation
    /// stream; ids start `control-`, images are `images/control/{cluster}-{index}.png`.
    public func controlExamples(_ cluster: MicroTaskCluster, modality: MicroModality, count: Int) -> [MicroExample] {
        examples(cluster, modality: modality, stream: "control/\(cluster.rawValue)/\(modality.rawValue)",
                 prefix: Self.controlSplit, count: count)
    }

    /// The split name of positive-control files, beside `train` and `eval`.
    public static let controlSplit = "control"

    private func examples(_ cluster: MicroTaskCluster, modality: MicroModality, stream: String, prefix: String,
                          count: Int) -> [MicroExample] {
        precondition(count >= 0, "example count must be non-negative, got \(count)")
        var rng = SplitMix64(seed: seed, label: stream)
        return (0..<count).map { index in
            let (scene, query) = queries.example(cluster, using: &rng)
            let stem = "\(cluster.rawValue)-\(Self.padded(index))"
            return MicroExample(id: "\(prefix)-\(cluster.rawValue)-\(modality.rawValue)-\(Self.padded(index))",
                                cluster: cluster, modality: modality, scene: scene, query: query,
                                image: modality == .vision ? "images/\(prefix)/\(stem).png" : nil, words: objectWords)
        }
    }

    /// The first `count` image–caption pairs: the scene and its record (`<image>\n` + ``captionInstruction``,
    /// then the caption), whose image is `images/captions/caption-{index}.png`.
    public func captions(count: Int) -> [(scene: Scene, record: InstructionRecord)] {
        precondition(count >= 0, "caption count must be non-negative, got \(count)")
        return captionPairs(count: count, stream: "captions", id: "caption", folder: "images/captions", file: Self.captionsFile)
    }

    /// `count` image–caption pairs of new scenes for checking alignment, never trained on: captions as
    /// ``captions(count:)`` writes them, drawn from their own stream, whose images are
    /// `images/eval/caption-{index}.png`.
    public func probeCaptions(count: Int) -> [(scene: Scene, record: InstructionRecord)] {
        precondition(count >= 0, "probe caption count must be non-negative, got \(count)")
        return captionPairs(count: count, stream: "probe captions", id: "probe-caption", folder: "images/eval",
                            file: Self.probeCaptionsFile)
    }

    /// `count` scenes of the random stream `stream`, each with its caption record `{id}-{index}` whose image is
    /// `{folder}/caption-{index}.png`.
    private func captionPairs(count: Int, stream: String, id: String, folder: String,
                              file: String) -> [(scene: Scene, record: InstructionRecord)] {
        var rng = SplitMix64(seed: seed, label: stream)
        return (0..<count).map { index in
            let scene = queries.scenes.scene(using: &rng)
            let record = InstructionRecord(
                id: "\(id)-\(Self.padded(index))", images: ["\(folder)/caption-\(Self.padded(index)).png"],
                turns: [Turn(.user, InstructionRecord.imageToken + "\n" + Self.captionInstruction),
                        Turn(.assistant, SceneDescriber.caption(scene, words: objectWords))],
                location: RecordLocation(file: file, index: index))
            return (scene, record)
        }
    }

    /// The stage-0 corpus: three lines about each of `scenes` random scenes (see ``CorpusGenerator``).
    public func corpus(scenes: Int) -> [String] {
        precondition(scenes >= 0, "corpus scene count must be non-negative, got \(scenes)")
        var rng = SplitMix64(seed: seed, label: "corpus")
        let generator = CorpusGenerator(queries: queries, questionsPerScene: corpusQuestions, objectWords: objectWords)
        return (0..<scenes).flatMap { _ in generator.lines(using: &rng) }
    }

    /// The stage-0 lookup warm-up: one line about each of `scenes` random scenes (see
    /// ``CorpusGenerator/lookupLine(using:)``), a stream of its own.
    public func lookups(scenes: Int) -> [String] {
        precondition(scenes >= 0, "lookup scene count must be non-negative, got \(scenes)")
        var rng = SplitMix64(seed: seed, label: "lookups")
        let generator = CorpusGenerator(queries: queries, questionsPerScene: corpusQuestions, objectWords: objectWords)
        return (0..<scenes).map { _ in generator.lookupLine(using: &rng) }
    }

    /// The stage-0 judgement warm-up: one line about each of `scenes` random scenes (see
    /// ``CorpusGenerator/judgementLine(using:)``), a stream of its own.
    public func judgements(scenes: Int) -> [String] {
        precondition(scenes >= 0, "judgement scene count must be non-negative, got \(scenes)")
        var rng = SplitMix64(seed: seed, label: "judgements")
        let generator = CorpusGenerator(queries: queries, questionsPerScene: corpusQuestions, objectWords: objectWords)
        return (0..<scenes).map { _ in generator.judgementLine(using: &rng) }
    }

    /// The first `count` generic instructions of `format` for stage-2 training (see ``GenericInstruction``), as
    /// records of `train/generic_{format}_language.json`.
    public func genericInstructions(_ format: MicroAnswerFormat, count: Int) -> [InstructionRecord] {
        var rng = SplitMix64(seed: seed, label: "generic/\(format.rawValue)")
        let file = Self.genericFilePath(format)
        return (0..<count).map { index in
            GenericInstruction.make(format, using: &rng)
                .record(id: "generic-\(format.rawValue)-\(Self.padded(index))", file: file, index: index)
        }
    }

    /// The first `count` generic instructions for stage-0 pretraining, formats in turn (a stream of its own, so
    /// no stage-0 conversation repeats a stage-2 one by construction of the seed).
    public func pretrainInstructions(count: Int) -> [InstructionRecord] {
        genericRecords(count: count, stream: "pretrain", file: Self.pretrainInstructionsFile)
    }

    /// The first `count` generic instructions of the stage-0 warm-up, formats in turn, on a stream of their own
    /// (`warmup_instructions.json`): enough examples of each generic question for the model to learn to answer
    /// it, not only to use its format.
    public func warmupInstructionRecords(count: Int) -> [InstructionRecord] {
        genericRecords(count: count, stream: "warmup", file: Self.warmupInstructionsFile)
    }

    /// `count` generic instructions from the stream `generic/{stream}`, formats in turn, with ids `{stream}-NNNNN`.
    private func genericRecords(count: Int, stream: String, file: String) -> [InstructionRecord] {
        precondition(count >= 0, "instruction count must be non-negative, got \(count)")
        var rng = SplitMix64(seed: seed, label: "generic/\(stream)")
        let formats = GenericInstruction.formats
        return (0..<count).map { index in
            GenericInstruction.make(formats[index % formats.count], using: &rng)
                .record(id: "\(stream)-\(Self.padded(index))", file: file, index: index)
        }
    }

    /// The first `count` generic conjunction lookups for stage 0 (see ``ConjunctionLookup``; a stream of its own),
    /// as records of the stage-0 instruction file numbered from `firstIndex`.
    public func conjunctionLookupRecords(count: Int, firstIndex: Int = 0) -> [InstructionRecord] {
        precondition(count >= 0 && firstIndex >= 0, "lookup count and first index must be non-negative")
        var rng = SplitMix64(seed: seed, label: "generic/conjunction")
        return (0..<count).map { offset in
            ConjunctionLookup.make(using: &rng).record(id: "lookup-\(Self.padded(offset))",
                                                       file: Self.pretrainInstructionsFile, index: firstIndex + offset)
        }
    }

    /// The generic stage-2 file of `format`: `"train/generic_yes_no_language.json"`.
    public static func genericFilePath(_ format: MicroAnswerFormat) -> String {
        "train/\(GenericInstruction.clusterName(format))_language.json"
    }

    /// The stage-0 generic instructions' file name.
    public static let pretrainInstructionsFile = "pretrain_instructions.json"
    /// The warm-up's generic instructions' file name (written when ``warmupInstructions`` is positive).
    public static let warmupInstructionsFile = "warmup_instructions.json"

    /// The user instruction of caption records (the `plain` template of stage 1 drops it; other templates keep it).
    public static let captionInstruction = "Describe the image briefly."
    /// The corpus's file name.
    public static let corpusFile = "corpus.txt"
    /// The warm-up's scene lines, lookups then judgements (written when ``lookupScenes`` or ``judgementScenes`` is
    /// positive).
    public static let lookupsFile = "lookups.txt"
    /// The captions' file name.
    public static let captionsFile = "captions.json"
    /// The alignment probe's captions (new scenes, evaluation only).
    public static let probeCaptionsFile = "eval/captions.json"

    /// The path of a task file relative to the world's folder: `"train/counting_vision.json"`.
    public static func taskFilePath(_ cluster: MicroTaskCluster, modality: MicroModality, split: Split) -> String {
        "\(split.rawValue)/\(cluster.rawValue)_\(modality.rawValue).json"
    }

    /// The dataset name of a cluster in a modality, as manifests record it: `"microworld_counting_vision"`.
    public static func datasetName(_ cluster: MicroTaskCluster, modality: MicroModality) -> String {
        "microworld_\(cluster.rawValue)_\(modality.rawValue)"
    }

    /// `index` with at least five digits, so file names sort in order.
    static func padded(_ index: Int) -> String {
        let digits = String(index)
        return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
    }
}
