import MLANCore
import MLANData
import MLANEval
import MLANTrain

/// Whether stage 1 taught the model to read images: the caption loss on new scenes, each caption with its own
/// image against the same caption with the next scene's image. A model that ignores its image scores both alike;
/// one that uses the image as a fixed prompt does too.
public struct AlignmentProbe: Codable, Sendable, Equatable {
    /// Captions measured.
    public var captions: Int
    /// Mean over captions of each caption's mean cross-entropy per token, with its own image.
    public var matchedLoss: Double
    /// The same with every image moved to the next caption (the last to the first).
    public var mismatchedLoss: Double
    /// The standard error of `gain` over the captions (their sample standard deviation over √captions).
    public var gainStandardError: Double

    /// Nats per caption token the right image is worth: `mismatchedLoss - matchedLoss`.
    public var gain: Double { mismatchedLoss - matchedLoss }

    /// Whether the right image lowers the loss by more than twice the gain's standard error.
    public var readsImages: Bool { gain > 2 * gainStandardError }

    enum CodingKeys: String, CodingKey {
        case captions, matchedLoss = "matched_loss", mismatchedLoss = "mismatched_loss"
        case gainStandardError = "gain_standard_error"
    }

    /// Measures `model` on `examples` (one image each, at least two), one caption at a time, without gradients.
    /// - Throws: `ExperimentError.invalidSetting` for fewer than two examples or one without exactly one image;
    ///   collation and image errors.
    public static func measure(_ model: LlavaTrainingModel, examples: [Example], collator: Collator) throws -> AlignmentProbe {
        guard examples.count >= 2 else {
            throw ExperimentError.invalidSetting(field: "probe captions", reason: "\(examples.count) captions; at least 2 are needed")
        }
        if let bad = examples.first(where: { $0.images.count != 1 }) {
            throw ExperimentError.invalidSetting(field: "probe captions", reason: "\(bad.id) has \(bad.images.count) images, not 1")
        }
        var matched: [Double] = [], gains: [Double] = []
        for (index, example) in examples.enumerated() {
            var other = example
            other.images = examples[(index + 1) % examples.count].images
            let own = try loss(model, example, collator: collator)
            matched.append(own)
            gains.append(try loss(model, other, collator: collator) - own)
        }
        let meanMatched = Statistics.mean(matched)
        return AlignmentProbe(captions: examples.count, matchedLoss: meanMatched,
                              mismatchedLoss: meanMatched + Statistics.mean(gains),
                              gainStandardError: Statistics.meanStandardError(gains) ?? .nan)
    }

    /// One example's mean cross-entropy per supervised token.
    private static func loss(_ model: LlavaTrainingModel, _ example: Example, collator: Collator) throws -> Double {
        let batch = try collator.collate([example])
        guard batch.supervisedTargetCount(row: 0) > 0 else {
            throw ExperimentError.invalidSetting(field: "probe captions", reason: "\(example.id) has no caption tokens")
        }
        return Double(try withoutGradients { try model.loss(batch) }.item)
    }
}
