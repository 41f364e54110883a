import Foundation
import MLANCore
import MLANData

extension LlavaForConditionalGeneration {
    /// Reads a LLaVA model directory (`config.json` and `model.safetensors` or shards) in any layout
    /// `LlavaKeyMap` knows: transformers 5, llava-hf / transformers 4, transformers ≥ 4.52, original LLaVA.
    ///
    /// Loading is strict. Original LLaVA checkpoints usually lack the tower: pass it as `visionTower` (e.g.
    /// `CLIPVisionModel.load(from:)` of `openai/clip-vit-large-patch14-336`); the checkpoint must then hold no
    /// tower tensors. `allowMissing` lists components that may be absent and keep their fresh values (the
    /// projector before alignment).
    ///
    /// `weights` chooses how the language model's matrices are held (`WeightForm`): `.f32` (the default) gives
    /// trainable Float32 parameters everywhere; the other forms build the language model straight from the
    /// checkpoint with its matrices frozen (`.native`: BF16/F16 shards read in place, in 16 bits), while the tower
    /// and projector stay Float32 parameters. Those forms need the language model in the checkpoint.
    /// - Throws: `ModelError.invalidConfig` for the config (or a `visionTower` of another shape than its
    ///   `vision_config`), `CheckpointError.incompatible` with the full report
    ///   when the tensors do not fit, `CheckpointError.unreadable` for unreadable files.
    public static func load(from directory: URL, visionTower: CLIPVisionModel? = nil,
                            allowMissing: [LlavaComponent] = [], weights: WeightForm = .f32) throws -> LlavaForConditionalGeneration {
        let configURL = directory.appendingPathComponent("config.json")
        let config = try LlavaConfig.load(from: configURL, visionConfig: visionTower?.config)
        if let visionTower, visionTower.config != config.visionConfig {
            throw ModelError.invalidConfig(path: configURL.path, reason:
                "its vision_config \(config.visionConfig) differs from the given tower's \(visionTower.config)")
        }
        if weights != .f32 {
            return try assemble(config, source: SafetensorsSource(directory: directory), visionTower: visionTower,
                                allowMissing: allowMissing, weights: weights)
        }
        var rng = SplitMix64(seed: 0)
        let model: LlavaForConditionalGeneration
        if let visionTower {
            let projector = MultiModalProjector(config.projectorType, visionSize: config.projectorInputSize,
                                                textSize: config.textConfig.hiddenSize,
                                                activation: config.projectorHiddenAct,
                                                bias: config.multimodalProjectorBias, rng: &rng)
            model = LlavaForConditionalGeneration(config: config, visionTower: visionTower, projector: projector,
                                                  languageModel: LlamaForCausalLM(config.textConfig, rng: &rng))
        } else {
            model = LlavaForConditionalGeneration(config, rng: &rng)
        }
        try model.loadWeights(from: SafetensorsSource(directory: directory), keepVisionTower: visionTower != nil,
                              allowMissing: allowMissing)
        return model
    }

    /// A model whose language model is built from `source` in `weights` form (`LlamaAssembly`: strict, no
    /// placeholder initialisation) and whose tower (unless given) and projector are loaded as Float32 parameters.
    static func assemble(_ config: LlavaConfig, source: any TensorSource, visionTower: CLIPVisionModel?,
                         allowMissing: [LlavaComponent], weights: WeightForm) throws -> LlavaForConditionalGeneration {
        let renamed = RenamedSource(source, rename: LlavaKeyMap.ourName(forCheckpointKey:))
        let text = LlavaComponent.languageModel.prefix
        let languageModel = try LlamaAssembly(config: config.textConfig,
                                              source: RenamedSource(renamed) { $0.hasPrefix(text) ? String($0.dropFirst(text.count)) : nil },
                                              form: weights).build()
        var rng = SplitMix64(seed: 0)
        let tower = visionTower ?? CLIPVisionModel(config.visionConfig, rng: &rng)
        let projector = MultiModalProjector(config.projectorType, visionSize: config.projectorInputSize,
                                            textSize: config.textConfig.hiddenSize, activation: config.projectorHiddenAct,
                                            bias: config.multimodalProjectorBias, rng: &rng)
        let model = LlavaForConditionalGeneration(config: config, visionTower: tower, projector: projector,
                                                  languageModel: languageModel)
        // The rest of the checkpoint: the tower and projector (names outside the three components are unexpected).
        try model.loadWeights(from: RenamedSource(renamed) { $0.hasPrefix(text) ? nil : $0 },
                              keepVisionTower: visionTower != nil, allowMissing: allowMissing + [.languageModel])
        return model
    }

    /// Fills the parameters from `source`, whose names may follow any layout `LlavaKeyMap` knows.
    ///
    /// With `keepVisionTower` the tower keeps its current weights and `source` must hold none for it.
    /// - Throws: `CheckpointError.incompatible` with the full report (nothing changes then), or the source's
    ///   read error.
    @discardableResult
    public func loadWeights(from source: any TensorSource, keepVisionTower: Bool = false,
                            allowMissing: [LlavaComponent] = []) throws -> LoadReport {
        let renamed = RenamedSource(source, rename: LlavaKeyMap.ourName(forCheckpointKey:))
        var skipped = allowMissing.map(\.prefix)
        if keepVisionTower {
            let tower = renamed.names.filter { $0.hasPrefix(LlavaComponent.visionTower.prefix) }
            if !tower.isEmpty {
                var report = LoadReport()
                report.unexpected = tower
                throw CheckpointError.incompatible(path: source.path, report: report)
            }
            skipped.append(LlavaComponent.visionTower.prefix)
        }
        return try CheckpointLoader.load(self, from: renamed, allowMissing: skipped)
    }

    /// Saves the model in Hugging Face's layout, complete for transformers' `AutoProcessor` and
    /// `LlavaForConditionalGeneration`: `config.json`, `model.safetensors` (transformers 5's names, F32), and with
    /// a tokenizer the files `HubFiles` writes (tokenizer, `generation_config.json`, the processor with
    /// `imageProcessor` and `chatTemplate`). The directory appears whole or not at all.
    ///
    /// A model composed here has its image token at the text vocabulary's size, outside the embedding table, which
    /// transformers cannot look up. Saved with its tokenizer, it is written as llava-hf checkpoints have it:
    /// `<image>` becomes a special added token of that id, and the embedding and (untied) head grow by one row,
    /// the mean of the others, so the image token's logit is the mean logit and greedy decoding never picks it.
    /// Loading the directory back gives the same logits over the original vocabulary. Without a tokenizer the
    /// weights and config are written as they are.
    /// - Throws: `CheckpointError.unreadable` naming the directory when a file cannot be written or the tokenizer
    ///   does not fit the vocabulary, `EncodingError` for an unencodable config.
    public func save(to directory: URL, tokenizer: (any Tokenizer)? = nil, imageProcessor: CLIPImageProcessor? = nil,
                     chatTemplate: String? = nil) throws {
        var config = self.config
        var tensors: [String: SafetensorsEntry] = [:]
        for (name, tensor) in namedParameters() { tensors[name] = .float32(tensor.detached()) }
        var tokenizer = tokenizer
        let vocabulary = config.textConfig.vocabSize
        if config.imageTokenIndex == vocabulary, let text = tokenizer {
            tokenizer = try Self.addingImageToken(text, id: vocabulary, path: directory.path)
            config.textConfig.vocabSize += 1
            for name in ["language_model.model.embed_tokens.weight", "language_model.lm_head.weight"] {
                guard case .float32(let table)? = tensors[name] else { continue }
                tensors[name] = .float32(Self.appendingMeanRow(table))  // [V + 1, D]
            }
        }
        if let tokenizer { try HubFiles.checkWritable(tokenizer, path: directory.path) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(config)
        try HuggingFaceWriter.writeDirectory(directory) { staging in
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"],
                                        to: staging.appendingPathComponent("model.safetensors"))
            try AtomicFile.write(Array(json) + [0x0A], to: staging.appendingPathComponent("config.json"))
            guard let tokenizer else { return }
            let text = config.textConfig
            try HubFiles.writeTokenizer(tokenizer, chatTemplate: chatTemplate, modelMaxLength: text.maxPositionEmbeddings,
                                        processorClass: "LlavaProcessor", to: staging)
            try HubFiles.writeGenerationConfig(bos: tokenizer.bosTokenID ?? text.bosTokenID,
                                               eos: tokenizer.eosTokenID ?? text.eosTokenID,
                                               pad: tokenizer.padTokenID ?? text.padTokenID, to: staging)
            try HubFiles.writeProcessor(imageProcessor ?? MultimodalLoader.processor(config.visionConfig), config: config,
                                        chatTemplate: chatTemplate, to: staging)
        }
    }

    /// `table` `[V, D]` with the mean of its rows appended: `[V + 1, D]`.
    static func appendingMeanRow(_ table: Tensor) -> Tensor {
        let (v, d) = (table.shape[0], table.shape[1])
        var scalars = table.scalars
        var mean = [Double](repeating: 0, count: d)
        for row in 0..<v { for j in 0..<d { mean[j] += Double(scalars[row * d + j]) } }
        scalars += mean.map { Float($0 / Double(v)) }
        return Tensor(shape: [v + 1, d], scalars: scalars)
    }

    /// `tokenizer` with `<image>` as a special added token of id `id`, its vocabulary's next id.
    static func addingImageToken(_ tokenizer: any Tokenizer, id: Int, path: String) throws -> any Tokenizer {
        if tokenizer.tokenID(ImageMarker.text) == id { return tokenizer }
        if tokenizer.vocabularySize == id, tokenizer.tokenID(ImageMarker.text) == nil {
            switch tokenizer {
            case let bpe as BPETokenizer: return try bpe.addingSpecialTokens([ImageMarker.text])
            case let llama as LlamaTokenizer: return try llama.addingSpecialTokens([ImageMarker.text])
            default: break
            }
        }
        throw CheckpointError.unreadable(path: path, reason: "cannot add <image> as token \(id): the tokenizer has "
            + "\(tokenizer.vocabularySize) tokens\(tokenizer.tokenID(ImageMarker.text).map { ", <image> as \($0)" } ?? "")")
    }
}
