/// What truncation removed from one example.
public struct Truncation: Sendable, Equatable {
    /// Token ids before truncation.
    public var originalLength: Int
    /// Token ids kept.
    public var keptLength: Int
    /// Images whose placeholders fell after the cut (they are left out of the batch's image list).
    public var droppedImages: Int
    /// Supervised targets that remain (``TokenizedExample/supervisedTargetCount``; 0 means the example no longer
    /// trains anything).
    public var remainingTargets: Int
}

/// Right-padded examples as plain arrays: `B` rows of `T` columns, `T` the longest kept length.
public struct Batch: Sendable, Equatable {
    /// Each example's id.
    public var exampleIDs: [String]
    /// `[B, T]` token ids, padded on the right with the pad id.
    public var inputIDs: [[Int]]
    /// `[B, T]` 1 for real tokens, 0 for padding.
    public var attentionMask: [[Int]]
    /// `[B, T]` true where the token is supervised; padding is never a target.
    public var isTarget: [[Bool]]
    /// Per example, the image paths for its placeholders, in order.
    public var images: [[String]]
    /// Per example, the unpadded token count.
    public var lengths: [Int]
    /// Per example, what truncation removed, or `nil` when it fit.
    public var truncations: [Truncation?]

    /// `[B, T]` Hugging Face-shaped labels (unshifted): the id where supervised, -100 on unsupervised and padding.
    public var labels: [[Int]] {
        zip(inputIDs, isTarget).map { ids, targets in zip(ids, targets).map { $1 ? $0 : -100 } }
    }

    /// `B`, the number of examples.
    public var count: Int { inputIDs.count }

    /// `T`, the padded length.
    public var paddedLength: Int { inputIDs.first?.count ?? 0 }

    /// Targets the loss predicts in row `row` (``TokenizedExample/supervisedTargetCount``; padding is never one).
    public func supervisedTargetCount(row: Int) -> Int { TokenizedExample.supervisedTargetCount(isTarget[row]) }

    /// Targets the loss predicts in the whole batch: what its mean cross-entropy divides by.
    public var supervisedTargetCount: Int { isTarget.indices.reduce(0) { $0 + supervisedTargetCount(row: $1) } }
}
