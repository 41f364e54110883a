import MLANCore
import MLANData
import MLANModel

/// A model the trainer can fit: the mean cross-entropy of a collated batch over its supervised targets.
public protocol TrainableModel: Module {
    /// `[]`: the mean cross-entropy over the batch's `supervisedTargetCount` targets (the trainer weights it by
    /// that count across a global batch; it is not called for a batch without targets).
    /// - Throws: when the batch does not fit the model (e.g. images for a text-only model).
    func loss(_ batch: Batch) throws -> Tensor
    /// How many model positions one image takes (0 for a text-only model); used for accounting.
    var imageTokenCount: Int { get }
    /// Whether an example's ids other than image placeholders are text the model reads (true by default); false
    /// when they are labels only, which then count as no text tokens.
    var readsText: Bool { get }
}

extension TrainableModel {
    /// True: ids are tokens the model reads.
    public var readsText: Bool { true }
}

extension LlamaForCausalLM: TrainableModel {
    /// 0: a language model takes no images.
    public var imageTokenCount: Int { 0 }

    /// `[]`: the mean cross-entropy over the batch's supervised targets.
    /// - Throws: `TrainError.invalidConfig` when the batch has images, `ModelError.sequenceTooLong` when its rows
    ///   are longer than the context and `ModelError.tokenOutOfRange` for an id outside the vocabulary (both
    ///   before the forward pass allocates anything).
    public func loss(_ batch: Batch) throws -> Tensor {
        guard batch.images.allSatisfy(\.isEmpty) else {
            throw TrainError.invalidConfig(field: "model", reason: "a language model cannot train on image examples")
        }
        try checkLength(batch.paddedLength)
        for row in batch.inputIDs { try checkTokens(row) }
        let padding = batch.attentionMask.map { $0.map { $0 != 0 } }
        let logits = self.logits(ids: batch.inputIDs, padding: padding)  // [B, T, V]
        return logits.causalLMLoss(labels: batch.labels)
    }
}
