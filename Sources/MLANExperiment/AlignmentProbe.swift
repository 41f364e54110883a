import MLANCore
import MLANData
import MLANTrain

/// Whether stage 1 taught the model to read images: the mean caption loss on new scenes, each caption with its own
/// image against the same caption with the next scene's image. A model that ignores its image scores both alike.
public struct AlignmentProbe: Codable, Sendable, Equatable {
    /// Captions measured.
    public var captions: Int
    /// Mean cross-entropy per caption token with each caption's own image.
    public var matchedLoss: Double
    /// The same with every image moved to the next caption (the last to the first).
    public var mismatchedLoss: Double

    /// Nats per caption token the right image is worth: `mismatchedLoss - matchedLoss`.
    public var gain: Double { mismatchedLoss - matchedLoss }

    enum CodingKeys: String, CodingKey { case captions, matchedLoss = "matched_loss", mismatchedLoss = "mismatched_loss" }

    /// Measures `model` on `examples` (one image each, at least two), `batchSize` at a time, without gradients.
    /// - Throws: `ExperimentError.invalidSetting` for fewer than two examples or one without exactly one image;
    ///   collation and image errors.
    public static func measure(_ model: LlavaTrainingModel, examples: [Example], collator: Collator,
                               batchSize: Int = 16) throws -> AlignmentProbe {
        guard examples.count >= 2 else {
            throw ExperimentError.invalidSetting(field: "probe captions", reason: "\(examples.count) captions; at least 2 are needed")
        }
        if let bad = examples.first(where: { $0.images.count != 1 }) {
            throw ExperimentError.invalidSetting(field: "probe captions", reason: "\(bad.id) has \(bad.images.count) images, not 1")
        }
        var shifted = examples
        for index in shifted.indices { shifted[index].images = examples[(index + 1) % examples.count].images }
        return AlignmentProbe(captions: examples.count,
                              matchedLoss: try meanLoss(model, examples, collator: collator, batchSize: batchSize),
                              mismatchedLoss: try meanLoss(model, shifted, collator: collator, batchSize: batchSize))
    }

    /// The loss over every supervised token of `examples`, each batch weighted by its token count.
    private static func meanLoss(_ model: LlavaTrainingModel, _ examples: [Example], collator: Collator,
                                 batchSize: Int) throws -> Double {
        var total = 0.0, tokens = 0
        for start in stride(from: 0, to: examples.count, by: max(1, batchSize)) {
            let batch = try collator.collate(Array(examples[start..<min(start + batchSize, examples.count)]))
            let count = batch.lengths.indices.reduce(0) { $0 + batch.supervisedTargetCount(row: $1) }
            guard count > 0 else { continue }
            let loss = try withoutGradients { try model.loss(batch) }
            total += Double(loss.item) * Double(count)
            tokens += count
        }
        return tokens > 0 ? total / Double(tokens) : .nan
    }
}
