/// Truncates and right-pads tokenized examples into a ``Batch``.
///
/// Truncation counts model positions: a text token takes one, an image placeholder takes `imageTokenCount`
/// (576 for CLIP ViT-L/14 at 336 px). The kept prefix is the longest that fits `maxLength`; when the cut would
/// fall inside an image, it moves before that image's placeholder, so an image is kept whole or dropped whole,
/// never split. Images after the cut leave the batch's image list, and the loss mask is cut with the ids.
///
/// ```swift
/// let collator = Collator(padID: 0, maxLength: 2048, imagePlaceholder: 32000, imageTokenCount: 576)
/// let batch = try collator.collate(examples)   // batch.inputIDs, batch.attentionMask, batch.labels
/// ```
public struct Collator: Sendable, Equatable {
    /// The id written into padding positions (masked out by `attentionMask`, never a target).
    public var padID: Int
    /// The most model positions an example may take; `nil` keeps examples whole.
    public var maxLength: Int?
    /// The id that stands for an image, if examples can have images.
    public var imagePlaceholder: Int?
    /// Model positions one image takes.
    public var imageTokenCount: Int

    /// A collator; without `maxLength` examples are kept whole, and `imageTokenCount` is the model positions
    /// one image takes.
    public init(padID: Int, maxLength: Int? = nil, imagePlaceholder: Int? = nil, imageTokenCount: Int = 1) {
        precondition(maxLength.map { $0 > 0 } ?? true, "maxLength must be positive, got \(maxLength ?? 0)")
        precondition(imageTokenCount > 0, "imageTokenCount must be positive, got \(imageTokenCount)")
        self.padID = padID
        self.maxLength = maxLength
        self.imagePlaceholder = imagePlaceholder
        self.imageTokenCount = imageTokenCount
    }

    /// The examples truncated and padded to the longest kept length.
    /// - Throws: `BatchError.emptyBatch`, or `.imageCountMismatch` when an example's placeholders and images
    ///   differ in number.
    public func collate(_ examples: [Example]) throws -> Batch {
        guard !examples.isEmpty else { throw BatchError.emptyBatch }
        var batch = Batch(exampleIDs: [], inputIDs: [], attentionMask: [], isTarget: [], images: [], lengths: [],
                          truncations: [])
        var kept: [Example] = []
        for example in examples {
            let (truncated, truncation) = try truncate(example)
            kept.append(truncated)
            batch.truncations.append(truncation)
        }
        let width = kept.map(\.tokens.ids.count).max() ?? 0
        for example in kept {
            let length = example.tokens.ids.count
            let padding = width - length
            batch.exampleIDs.append(example.id)
            batch.inputIDs.append(example.tokens.ids + repeatElement(padID, count: padding))
            batch.attentionMask.append(Array(repeating: 1, count: length) + repeatElement(0, count: padding))
            batch.isTarget.append(example.tokens.isTarget + repeatElement(false, count: padding))
            batch.images.append(example.images)
            batch.lengths.append(length)
        }
        return batch
    }

    /// The example cut to `maxLength` model positions (never inside an image), and what was removed.
    /// - Throws: `BatchError.imageCountMismatch` when placeholders and images differ in number.
    public func truncate(_ example: Example) throws -> (Example, Truncation?) {
        let ids = example.tokens.ids
        let placeholders = imagePlaceholder.map { p in ids.reduce(0) { $0 + ($1 == p ? 1 : 0) } } ?? 0
        guard placeholders == example.images.count else {
            throw BatchError.imageCountMismatch(example: example.id, placeholders: placeholders,
                                                images: example.images.count)
        }
        guard let maxLength, example.modelLength(imagePlaceholder: imagePlaceholder,
                                                 imageTokenCount: imageTokenCount) > maxLength else {
            return (example, nil)
        }
        var positions = 0, cut = 0, imagesKept = 0
        while cut < ids.count {
            let isImage = ids[cut] == imagePlaceholder
            let cost = isImage ? imageTokenCount : 1
            guard positions + cost <= maxLength else { break }  // the next token (or whole image) does not fit
            positions += cost
            if isImage { imagesKept += 1 }
            cut += 1
        }
        var truncated = example
        truncated.tokens = TokenizedExample(ids: Array(ids[..<cut]), isTarget: Array(example.tokens.isTarget[..<cut]))
        truncated.images = Array(example.images[..<imagesKept])
        let truncation = Truncation(originalLength: ids.count, keptLength: cut,
                                    droppedImages: example.images.count - imagesKept,
                                    remainingTargets: truncated.tokens.supervisedTargetCount)
        return (truncated, truncation)
    }
}
