import MLANCore
import MLANData

/// A batch spliced and right-padded for the language model: what `LlavaForConditionalGeneration` feeds its decoder.
public struct LlavaInputs {
    /// `[B, T, D]` input embeddings: text-token embeddings and projected image rows, zeros on padding.
    public let embeddings: Tensor
    /// Per example, where each position comes from and which positions are supervised.
    public let plans: [SplicePlan]
    /// The number of images the batch encoded (0: the vision tower did not run).
    public let imageCount: Int

    /// Per example, its model positions (text tokens plus image rows) before padding.
    public var lengths: [Int] { plans.map(\.count) }
    /// `T`, the padded length.
    public var paddedLength: Int { embeddings.shape[1] }
    /// `[B][T]` true for real positions, false for padding (the decoder's key mask).
    public var padding: [[Bool]] {
        plans.map { plan in (0..<paddedLength).map { $0 < plan.count } }
    }
    /// `[B][T]` Hugging Face-shaped (unshifted) labels: the token id where supervised, -100 on image rows,
    /// unsupervised tokens and padding.
    public var labels: [[Int]] {
        plans.map { plan in
            (0..<paddedLength).map { i in
                guard i < plan.count, plan.isTarget[i], case .token(let id) = plan.sources[i] else { return -100 }
                return id
            }
        }
    }
}

/// Logits of a batch, with the inputs they came from.
public struct LlavaOutput {
    /// The spliced batch the logits came from (lengths, labels, padding).
    public let inputs: LlavaInputs
    /// `[B, T, V]`; rows past an example's length are padding.
    public let logits: Tensor

    /// Hugging Face's causal-LM loss over the batch: mean cross-entropy of every supervised position, predicted
    /// from the one before (a scalar tensor; computed on each access).
    public var loss: Tensor { logits.causalLMLoss(labels: inputs.labels) }
}

extension LlavaForConditionalGeneration {
    /// Splices and right-pads a batch. `images[b]` holds example `b`'s pixel values, each `[C, H, W]` at the
    /// tower's size, one per image in the prompt (none for a text-only example, which costs no vision work).
    /// All images of the batch go through the tower and projector together.
    /// - Throws: `ModelError.emptyInput` for no examples, `ModelError.invalidSetting` when the image lists
    ///   and examples differ in number, `ModelError.imageCountMismatch` when an example's image tokens and
    ///   images disagree (see `LlavaSplice`), `ModelError.tokenOutOfRange` for an id outside the vocabulary,
    ///   `ModelError.sequenceTooLong` for an example longer than the decoder's context, and
    ///   `ModelError.invalidConfig` for pixel values of another size than the tower's.
    public func inputs(_ examples: [TokenizedExample], images: [[Tensor]]) throws -> LlavaInputs {
        guard !examples.isEmpty else { throw ModelError.emptyInput("the batch of examples") }
        guard examples.count == images.count else {
            throw ModelError.invalidSetting(name: "images", value: "\(images.count) image lists",
                                            reason: "the batch has \(examples.count) examples; pass one list per example")
        }
        let (p, d) = (config.imageSeqLength, config.textConfig.hiddenSize)
        let plans = try zip(examples, images).map { example, pixels in
            try LlavaSplice.plan(example, images: pixels.count, rowsPerImage: p, imageToken: config.imageTokenIndex,
                                 vocabularySize: config.textConfig.vocabSize)
        }
        let allImages = images.flatMap { $0 }
        let vision = config.visionConfig
        let expected = [vision.numChannels, vision.imageSize, vision.width]
        if let wrong = allImages.firstIndex(where: { $0.shape != expected }) {
            throw ModelError.invalidConfig(path: "pixel values", reason:
                "image \(wrong) is \(allImages[wrong].shape) but the vision tower takes \(expected)")
        }
        let t = plans.map(\.count).max() ?? 0
        if t > config.textConfig.maxPositionEmbeddings {
            throw ModelError.sequenceTooLong(length: t, limit: config.textConfig.maxPositionEmbeddings)
        }
        // Rows of one table, in order: text embeddings, image feature rows, one zero row for padding.
        var textIDs: [Int] = []
        for plan in plans {
            for case .token(let id) in plan.sources { textIDs.append(id) }
        }
        var imageBase: [Int] = [], imagesBefore = 0  // each example's first image in the batch
        for list in images { imageBase.append(imagesBefore); imagesBefore += list.count }
        let featureStart = textIDs.count, padRow = textIDs.count + allImages.count * p
        var order: [Int] = [], textRow = 0
        order.reserveCapacity(plans.count * t)
        for (b, plan) in plans.enumerated() {
            for source in plan.sources {
                switch source {
                case .token: order.append(textRow); textRow += 1
                case .image(let image, let row): order.append(featureStart + (imageBase[b] + image) * p + row)
                }
            }
            order += repeatElement(padRow, count: t - plan.count)
        }
        var table: [Tensor] = []
        if !textIDs.isEmpty { table.append(languageModel.embed(textIDs)) }              // [nText, D]
        if !allImages.isEmpty {
            let pixels = Tensor.stack(allImages)                                         // [N, C, H, W]
            table.append(try imageFeatures(pixels).reshaped([allImages.count * p, d]))       // [N · P, D]
        }
        if order.contains(padRow) { table.append(Tensor.zeros([1, d])) }                 // [1, D]
        let embeddings = Tensor.concatenate(table, axis: 0)                              // [rows, D]
            .indexSelect(order).reshaped([plans.count, t, d])                            // [B, T, D]
        return LlavaInputs(embeddings: embeddings, plans: plans, imageCount: allImages.count)
    }

    /// `inputs(_:images:)` with pixel values from `CLIPImageProcessor`.
    /// - Throws: as `inputs(_:images:)`.
    public func inputs(_ examples: [TokenizedExample], images: [[PixelValues]]) throws -> LlavaInputs {
        try inputs(examples, images: images.map { $0.map { Tensor(shape: $0.shape, scalars: $0.values) } })
    }

    /// Logits `[B, T, V]` of spliced inputs; with a cache the positions follow the cached ones (prefill).
    public func logits(_ inputs: LlavaInputs, cache: KVCache? = nil) -> Tensor {
        let padded = inputs.plans.contains { $0.count < inputs.paddedLength }
        return languageModel.logits(embeddings: inputs.embeddings, padding: padded ? inputs.padding : nil, cache: cache)
    }

    /// The forward pass of a batch of tokenized examples (text-only and multimodal may mix), right-padded to
    /// the longest; `images[b]` are example `b`'s processed images, in prompt order.
    /// - Throws: as `inputs(_:images:)`.
    public func forward(_ examples: [TokenizedExample], images: [[PixelValues]]) throws -> LlavaOutput {
        let inputs = try inputs(examples, images: images)
        return LlavaOutput(inputs: inputs, logits: logits(inputs))
    }

    /// The training loss of a batch: mean cross-entropy over every supervised token of every example
    /// (image rows, prompts and padding excluded), as Hugging Face computes it. Call `backward()` on it.
    /// - Throws: as `inputs(_:images:)`.
    public func loss(_ examples: [TokenizedExample], images: [[PixelValues]]) throws -> Tensor {
        try forward(examples, images: images).loss
    }
}
