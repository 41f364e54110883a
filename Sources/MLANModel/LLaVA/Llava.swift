import MLANCore

/// A LLaVA model (`LlavaForConditionalGeneration`): a CLIP vision tower, a projector and a Llama-family decoder.
///
/// Images `[N, C, H, W]` go through the tower (only up to the selected feature layer), the selected tokens
/// through the projector, and the resulting `[N, P, D]` rows take the place of the image tokens in the
/// prompt's embeddings (see `LlavaSplice`). Parameter names are transformers 5's: `vision_tower.*`,
/// `multi_modal_projector.linear_{1,2}.*`, `language_model.model.*`, `language_model.lm_head.*`.
public final class LlavaForConditionalGeneration: Module {
    /// The shapes and conventions of all three parts.
    public let config: LlavaConfig
    /// The CLIP ViT image encoder (`vision_tower`).
    public let visionTower: CLIPVisionModel
    /// Vision features to text embeddings (`multi_modal_projector`).
    public let projector: MultiModalProjector
    /// The decoder with its head (`language_model`).
    public let languageModel: LlamaForCausalLM

    /// A randomly initialised model; `config` must be consistent (see `LlavaConfig.inconsistency`).
    public init(_ config: LlavaConfig, rng: inout some RandomNumberGenerator) {
        precondition(config.inconsistency == nil, "LlavaConfig: \(config.inconsistency ?? "")")
        self.config = config
        visionTower = CLIPVisionModel(config.visionConfig, rng: &rng)
        projector = MultiModalProjector(config.projectorType, visionSize: config.projectorInputSize,
                                        textSize: config.textConfig.hiddenSize, activation: config.projectorHiddenAct,
                                        bias: config.multimodalProjectorBias, rng: &rng)
        languageModel = LlamaForCausalLM(config.textConfig, rng: &rng)
    }

    /// A model from existing parts, which must fit `config` (the tower's and decoder's configs, and a projector
    /// from `config.projectorInputSize` to the decoder's width).
    public init(config: LlavaConfig, visionTower: CLIPVisionModel, projector: MultiModalProjector,
                languageModel: LlamaForCausalLM) {
        precondition(config.inconsistency == nil, "LlavaConfig: \(config.inconsistency ?? "")")
        precondition(visionTower.config == config.visionConfig && languageModel.config == config.textConfig,
                     "the vision tower and language model must have the configs of the LlavaConfig")
        precondition(projector.inputSize == config.projectorInputSize
                     && projector.outputSize == config.textConfig.hiddenSize && projector.type == config.projectorType,
                     "projector \(projector.type) \(projector.inputSize) -> \(projector.outputSize) does not fit "
                     + "\(config.projectorType) \(config.projectorInputSize) -> \(config.textConfig.hiddenSize)")
        self.config = config
        self.visionTower = visionTower
        self.projector = projector
        self.languageModel = languageModel
    }

    /// Composes any Llama-family decoder with a CLIP tower through a fresh projector drawn from `seed`.
    ///
    /// `imageTokenIndex` defaults to the decoder's vocabulary size: an id no text token has, which the
    /// tokenizer writes for each `<image>` and the splice never embeds.
    public convenience init(languageModel: LlamaForCausalLM, visionTower: CLIPVisionModel,
                            projectorType: ProjectorType = .mlp2xGELU, imageTokenIndex: Int? = nil,
                            visionFeatureLayers: [Int] = [-2], selection: VisionFeatureSelection = .patches,
                            seed: UInt64) {
        let config = LlavaConfig(textConfig: languageModel.config, visionConfig: visionTower.config,
                                 imageTokenIndex: imageTokenIndex, projectorType: projectorType,
                                 visionFeatureLayers: visionFeatureLayers, visionFeatureSelectStrategy: selection)
        var rng = SplitMix64(seed: seed)
        let projector = MultiModalProjector(projectorType, visionSize: config.projectorInputSize,
                                            textSize: languageModel.config.hiddenSize, rng: &rng)
        self.init(config: config, visionTower: visionTower, projector: projector, languageModel: languageModel)
    }

    /// Lists `vision_tower`, `multi_modal_projector` and `language_model`.
    public func visit(_ v: inout ParameterVisitor) {
        v.module("vision_tower", visionTower)
        v.module("multi_modal_projector", projector)
        v.module("language_model", languageModel)
    }

    /// The selected tower features of `[N, C, H, W]` pixel values: `[N, P, Dv · layers]`.
    /// - Throws: `ModelError.inputShape` for pixel values of another size than the tower's.
    public func visionFeatures(_ pixels: Tensor) throws -> Tensor {
        try visionTower.features(pixels, layers: config.visionFeatureLayers, selection: config.visionFeatureSelectStrategy)
    }

    /// Projected image features of `[N, C, H, W]` pixel values: `[N, P, D]`, P = `config.imageSeqLength`.
    /// - Throws: as `visionFeatures(_:)`.
    public func imageFeatures(_ pixels: Tensor) throws -> Tensor {
        projector(try visionFeatures(pixels))  // [N, P, D]
    }
}
