/// What a training run processed and what it cost.
public struct EfficiencyReport: Codable, Sendable, Equatable {
    /// Examples trained on (an example seen in two epochs counts twice).
    public var examples = 0
    /// Text positions (token ids other than image placeholders).
    public var textTokens = 0
    /// Positions filled by image features.
    public var imageTokens = 0
    /// Targets the loss predicted (`Batch.supervisedTargetCount`).
    public var supervisedTokens = 0
    /// Estimated floating-point operations (see `ComputeProfile.flops(tokens:imageTokens:)`).
    public var flops: Double = 0
    /// Wall-clock seconds of training.
    public var seconds: Double = 0
    /// Optimizer steps taken.
    public var optimizerSteps = 0

    /// An empty report.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case examples, textTokens = "text_tokens", imageTokens = "image_tokens"
        case supervisedTokens = "supervised_tokens", flops, seconds, optimizerSteps = "optimizer_steps"
    }

    /// Adds another report (e.g. the stages of a recipe).
    public static func + (a: EfficiencyReport, b: EfficiencyReport) -> EfficiencyReport {
        var r = a
        r.examples += b.examples; r.textTokens += b.textTokens; r.imageTokens += b.imageTokens
        r.supervisedTokens += b.supervisedTokens; r.flops += b.flops; r.seconds += b.seconds
        r.optimizerSteps += b.optimizerSteps
        return r
    }
}

/// The parameter counts that the FLOP estimate of one token needs, by how each group runs: trained
/// (forward, activation and weight gradients: 6·N·T), frozen with gradients flowing through (forward and
/// activation gradients: 4·N·T) or frozen in front of everything trained (forward only: 2·N·T).
public struct ComputeProfile: Sendable, Equatable {
    /// Parameters that train, applied to every token.
    public var trainedParameters: Int
    /// Frozen parameters behind trained ones (activation gradients flow through them), applied to every token.
    public var frozenBackpropParameters: Int
    /// Parameters applied only to image tokens and run forward only (a frozen vision tower), per image token.
    public var imageOnlyForwardParameters: Int
    /// Parameters applied only to image tokens that train (a projector; a vision tower trained from scratch).
    public var imageOnlyTrainedParameters: Int
    /// Frozen parameters applied only to image tokens with gradients flowing through them (a frozen projector
    /// in front of a trained vision tower).
    public var imageOnlyFrozenBackpropParameters: Int

    /// A profile from its parameter counts; the image-only groups default to none.
    public init(trainedParameters: Int, frozenBackpropParameters: Int, imageOnlyForwardParameters: Int = 0,
                imageOnlyTrainedParameters: Int = 0, imageOnlyFrozenBackpropParameters: Int = 0) {
        self.trainedParameters = trainedParameters
        self.frozenBackpropParameters = frozenBackpropParameters
        self.imageOnlyForwardParameters = imageOnlyForwardParameters
        self.imageOnlyTrainedParameters = imageOnlyTrainedParameters
        self.imageOnlyFrozenBackpropParameters = imageOnlyFrozenBackpropParameters
    }

    /// FLOPs of training on `tokens` model positions of which `imageTokens` come from images.
    public func flops(tokens: Int, imageTokens: Int) -> Double {
        6 * Double(trainedParameters) * Double(tokens) + 4 * Double(frozenBackpropParameters) * Double(tokens)
            + 2 * Double(imageOnlyForwardParameters) * Double(imageTokens)
            + 6 * Double(imageOnlyTrainedParameters) * Double(imageTokens)
            + 4 * Double(imageOnlyFrozenBackpropParameters) * Double(imageTokens)
    }
}
