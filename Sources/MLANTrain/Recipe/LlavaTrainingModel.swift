import MLANCore
import MLANData
import MLANModel

/// A LLaVA model as the trainer sees it: batches of token ids with image paths, images read through a
/// `PixelStore`. Parameter names are the model's own.
public final class LlavaTrainingModel: TrainableModel {
    /// The wrapped model; its freeze state decides what trains.
    public let llava: LlavaForConditionalGeneration
    /// Where the batches' image paths are read from.
    public let images: PixelStore

    /// `llava` reading its batches' images from `images`.
    public init(_ llava: LlavaForConditionalGeneration, images: PixelStore) {
        self.llava = llava
        self.images = images
    }

    /// The LLaVA model's parameters under their own names.
    public func visit(_ v: inout ParameterVisitor) { llava.visit(&v) }

    /// Positions one image takes in the language model (`imageSeqLength`).
    public var imageTokenCount: Int { llava.config.imageSeqLength }

    /// `[]`: the mean cross-entropy over the batch's supervised targets (image rows are never targets).
    /// - Throws: `ImageError` for an image that cannot be read, `LlavaError` when placeholders and images differ.
    public func loss(_ batch: Batch) throws -> Tensor {
        let examples = batch.lengths.indices.map { row in
            TokenizedExample(ids: Array(batch.inputIDs[row].prefix(batch.lengths[row])),
                             isTarget: Array(batch.isTarget[row].prefix(batch.lengths[row])))
        }
        let pixels = try batch.images.map { try $0.map { try images.pixels($0) } }
        return try llava.loss(examples, images: pixels)
    }
}
