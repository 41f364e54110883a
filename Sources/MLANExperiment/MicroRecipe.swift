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
        public init(name: String, languageFraction: Double) {
            self.name = name
            self.languageFraction = languageFraction
        }
    }

    public var seed: UInt64 = 42
    public var counts = MicroWorldCounts(captions: 1500, corpusScenes: 600, trainPerCluster: 400, evalPerCluster: 100)
    /// Objects per box (1...2 keeps scene descriptions short enough for the micro model to learn in minutes).
    public var objectsPerBox = [1, 2]
    public var vocabularySize = 512
    public var language = LlamaConfig(vocabSize: 512, hiddenSize: 128, intermediateSize: 320, numHiddenLayers: 4,
                                      numAttentionHeads: 4, numKeyValueHeads: 2, rmsNormEps: 1e-5,
                                      maxPositionEmbeddings: 512, tieWordEmbeddings: true)
    public var vision = CLIPVisionConfig(hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 3,
                                         numAttentionHeads: 4, imageSize: 32, patchSize: 8, hiddenAct: .gelu)
    /// Stage 0: language-model pretraining on the world's corpus.
    public var pretrain = MicroRecipe.stage(lr: 2e-3, epochs: 3)
    /// Stage 1: alignment on captions (`plain` template); the projector and, from scratch here, the tower train.
    public var align = MicroRecipe.stage(lr: 1e-3, epochs: 3)
    /// Stage 2: instruction tuning (`v1` template); projector and language model train, the tower is frozen.
    public var instruct = MicroRecipe.stage(lr: 2e-3, epochs: 4)
    /// Examples per stage-2 mixture (the same for every mixture).
    public var mixtureSize = 1200
    /// The stage-2 mixtures; "none" (the aligned model, untuned) is always evaluated too.
    public var mixtures = [MixtureSpec(name: "mlan", languageFraction: 1.0),
                           MixtureSpec(name: "mlan_v", languageFraction: 0.875),
                           MixtureSpec(name: "vision_heavy", languageFraction: 0.1)]
    /// Documents evaluated per held-out task.
    public var evalLimit = 100
    /// Trained clusters also evaluated (on their evaluation files) as a reference: did tuning learn what it saw?
    /// They are reported apart and left out of the zero-shot averages.
    public var seenReferenceClusters = ["counting", "attribute"]

    public init() {
        vision.imageWidth = 128
    }

    static func stage(lr: Double, epochs: Int) -> TrainConfig {
        var c = TrainConfig()
        c.learningRate = lr
        c.globalBatchSize = 32
        c.microBatchSize = 16
        c.epochs = epochs
        c.warmupRatio = 0.03
        c.maxGradNorm = 1
        c.maxLength = 384
        c.logEvery = 5
        return c
    }

    /// A sub-minute smoke run of the whole pipeline (the test suite's).
    public static var quick: MicroRecipe {
        var r = MicroRecipe()
        r.counts = MicroWorldCounts(captions: 48, corpusScenes: 16, trainPerCluster: 12, evalPerCluster: 6)
        r.vocabularySize = 320
        r.language.vocabSize = 320
        r.seenReferenceClusters = ["counting"]
        for stage in [\MicroRecipe.pretrain, \.align, \.instruct] { r[keyPath: stage].epochs = 1 }
        r.mixtureSize = 48
        r.evalLimit = 6
        return r
    }

    enum CodingKeys: String, CodingKey {
        case seed, counts, objectsPerBox = "objects_per_box", vocabularySize = "vocabulary_size", language, vision
        case pretrain, align, instruct, mixtureSize = "mixture_size", mixtures, evalLimit = "eval_limit"
        case seenReferenceClusters = "seen_reference_clusters"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.seed, &seed); try read(.counts, &counts); try read(.vocabularySize, &vocabularySize)
        try read(.objectsPerBox, &objectsPerBox); try read(.seenReferenceClusters, &seenReferenceClusters)
        try read(.language, &language); try read(.vision, &vision); try read(.pretrain, &pretrain)
        try read(.align, &align); try read(.instruct, &instruct); try read(.mixtureSize, &mixtureSize)
        try read(.mixtures, &mixtures); try read(.evalLimit, &evalLimit)
        language.vocabSize = vocabularySize
    }

    /// Reads a recipe from JSON (fields left out keep the defaults above).
    /// - Throws: `ExperimentError.invalidSetting` naming the file.
    public static func load(from url: URL) throws -> MicroRecipe {
        do { return try JSONDecoder().decode(MicroRecipe.self, from: Data(contentsOf: url)) } catch {
            throw ExperimentError.invalidSetting(field: url.path, reason: "\(error)")
        }
    }
}
