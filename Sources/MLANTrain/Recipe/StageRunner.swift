import Foundation
import MLANCore
import MLANData
import MLANModel

/// Runs one `StageConfig`: loads or composes the model, builds the examples (and the mixture, with its
/// manifest), freezes per stage, trains with resume, and saves the model in Hugging Face layout to
/// `OUTPUT/model` with its tokenizer, chat template and image processor (see `LlavaForConditionalGeneration.save`).
/// A `pretrain` stage trains and saves the language model alone (a `LlamaForCausalLM` directory, the
/// `language_model` of a later stage), and composes no ViT-L when no `vision_tower` is given.
///
/// Started by `mpirun -np N`, the stage trains data-parallel over the N processes (`DataParallel`); rank 0
/// alone writes the output folder, which the other ranks must see to resume.
public struct StageRunner {
    /// The stage to run.
    public let config: StageConfig
    /// Whether training progress goes to standard error.
    public var printsProgress = true
    /// The data parallelism to train with; nil: all-reduce over the MPI job this process was started in, if any.
    public var parallel: DataParallel?

    /// A runner for one stage.
    public init(_ config: StageConfig) { self.config = config }

    /// Runs the stage; FLOPs count a frozen vision tower forward only (`ComputeProfile(llava)`).
    /// - Throws: config, data, model and training errors, each naming what failed.
    @discardableResult
    public func run() throws -> TrainResult {
        let parallel = try self.parallel ?? DataParallel.launched()
        let output = URL(fileURLWithPath: config.output)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let (llava, tokenizer) = try loadModel()
        try HubFiles.checkWritable(tokenizer, path: output.appendingPathComponent("model").path)
        let context = llava.config.textConfig.maxPositionEmbeddings
        guard config.train.maxLength <= context else {
            throw TrainError.invalidConfig(field: "train.max_length", reason: "\(config.train.maxLength) exceeds the "
                                           + "model's context of \(context) positions (max_position_embeddings)")
        }
        let imageToken = llava.config.imageTokenIndex
        let collator = Collator(padID: tokenizer.padTokenID ?? tokenizer.eosTokenID ?? 0, maxLength: config.train.maxLength,
                                imagePlaceholder: imageToken, imageTokenCount: llava.config.imageSeqLength)
        let examples = try makeExamples(tokenizer: tokenizer, imageToken: imageToken,
                                        output: parallel.isWriter ? output : nil)
        let model: any TrainableModel
        let profile: ComputeProfile?  // nil: the language model alone, every parameter on every token
        switch config.stage {
        case .pretrain:
            llava.freezeAll(except: [.languageModel])
            (model, profile) = (llava.languageModel, nil)
        case .align:
            llava.freezeAll(except: [.projector])
            (model, profile) = (LlavaTrainingModel(llava, images: pixelStore(llava)), ComputeProfile(llava))
        case .instruct:
            llava.freezeAll(except: [.projector, .languageModel])
            (model, profile) = (LlavaTrainingModel(llava, images: pixelStore(llava)), ComputeProfile(llava))
        }
        let trainer = try Trainer(model: model, config: config.train, examples: examples, collator: collator,
                                  profile: profile, runDirectory: output, label: config.stage.rawValue, parallel: parallel)
        trainer.log.printsProgress = printsProgress && parallel.isWriter
        let result = try trainer.run()
        guard parallel.isWriter else { return result }
        let chatTemplate = JinjaChatTemplate.source(for: try BuiltinTemplates.named(templateName))
        if config.stage == .pretrain {
            try HuggingFaceWriter.save(llava.languageModel, tokenizer: tokenizer, chatTemplate: chatTemplate,
                                       to: output.appendingPathComponent("model"))
        } else {
            try llava.save(to: output.appendingPathComponent("model"), tokenizer: tokenizer,
                           imageProcessor: pixelStore(llava).processor, chatTemplate: chatTemplate)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(result.efficiency).write(to: output.appendingPathComponent("efficiency.json"), options: .atomic)
        return result
    }

    private func pixelStore(_ llava: LlavaForConditionalGeneration) -> PixelStore {
        PixelStore(root: URL(fileURLWithPath: config.imageRoot ?? "."), width: llava.config.visionConfig.width,
                   height: llava.config.visionConfig.imageSize)
    }

    /// The conversation template the stage renders with: the config's, else `plain` for alignment and `v1`.
    private var templateName: String { config.template ?? (config.stage == .align ? "plain" : "v1") }

    private func loadModel() throws -> (LlavaForConditionalGeneration, any Tokenizer) {
        if let path = config.model.llava {
            let directory = URL(fileURLWithPath: path)
            let llava = try LlavaForConditionalGeneration.load(from: directory)
            return (llava, try TokenizerLoader.load(directory: directory, config: llava.config.textConfig))
        }
        guard let path = config.model.languageModel else {
            throw TrainError.invalidConfig(field: "model", reason: "needs \"llava\" or \"language_model\"")
        }
        let loaded = try LanguageModelLoader.load(from: URL(fileURLWithPath: path))
        var rng = SplitMix64(seed: config.seed ?? config.train.seed)
        let tower = try config.model.visionTower.map { try CLIPVisionModel.load(from: URL(fileURLWithPath: $0)) }
            ?? CLIPVisionModel(config.stage == .pretrain ? .tiny : .vitL14_336, rng: &rng)  // pretrain never runs it
        let llava = LlavaForConditionalGeneration(languageModel: loaded.model, visionTower: tower,
                                                  projectorType: .mlp2xGELU, seed: config.seed ?? config.train.seed)
        return (llava, loaded.tokenizer)
    }

    /// The stage's examples; the mixture's manifest is written into `output` when given.
    private func makeExamples(tokenizer: any Tokenizer, imageToken: Int, output: URL?) throws -> [Example] {
        if config.stage == .pretrain {
            let eos = tokenizer.eosTokenID.map { [$0] } ?? []
            return try config.data.flatMap { file in
                try String(contentsOfFile: file.file, encoding: .utf8).split(separator: "\n").enumerated().map { i, line in
                    let ids = tokenizer.encode(String(line), addSpecialTokens: false) + eos
                    return Example(id: "\(file.dataset)-\(i)", tokens: TokenizedExample(ids: ids, isTarget: ids.indices.map { $0 > 0 }))
                }
            }
        }
        let options = DatasetReadOptions(imageRoot: config.imageRoot.map { URL(fileURLWithPath: $0) })
        let sources = try config.data.map {
            try MixtureSource.load(name: $0.dataset, dataset: $0.dataset, taskCluster: $0.taskCluster,
                                   from: URL(fileURLWithPath: $0.file), options: options).source
        }
        var records = sources.flatMap(\.records)
        if let spec = config.mixture {
            let mixture = try Mixture.build(name: "mixture", sources: sources,
                                            plan: .modalities(languageFraction: spec.languageFraction, total: spec.total),
                                            seed: config.seed ?? config.train.seed)
            if let output { try mixture.write(to: output.appendingPathComponent("mixture.json")) }
            records = mixture.records
        }
        let template = try BuiltinTemplates.named(templateName)
        let addBOS = tokenizer.bosTokenID != nil && tokenizer.encode("", addSpecialTokens: true).first == tokenizer.bosTokenID
        return try records.map { try Example($0, template: template, tokenizer: tokenizer, imagePlaceholder: imageToken, addBOS: addBOS) }
    }
}
