extension TokenizedExample {
    /// The decoded text with each supervised span wrapped in `[[` and `]]`, and `<image>` where a placeholder
    /// stands, to check by eye what the loss trains on.
    public func renderedWithTargets(using tokenizer: some Tokenizer, imagePlaceholder: Int?) -> String {
        var out = "", start = 0
        while start < ids.count {
            if ids[start] == imagePlaceholder {
                out += isTarget[start] ? "[[<image>]]" : "<image>"
                start += 1
                continue  // an image slot is rendered on its own
            }
            var end = start
            while end < ids.count && isTarget[end] == isTarget[start] && ids[end] != imagePlaceholder { end += 1 }
            let text = tokenizer.decode(Array(ids[start..<end]), skipSpecialTokens: false)
            out += isTarget[start] ? "[[" + text + "]]" : text
            start = end
        }
        return out
    }
}

extension TokenizedExample {
    /// Targets the loss predicts: the supervised tokens after the first (token 0 has no prefix to be predicted
    /// from). The one count every mean over "supervised tokens" divides by.
    public var supervisedTargetCount: Int { Self.supervisedTargetCount(isTarget) }

    /// The supervised targets of one loss mask (`isTarget` of an example or of a padded batch row).
    public static func supervisedTargetCount(_ isTarget: some Collection<Bool>) -> Int {
        isTarget.dropFirst().reduce(0) { $0 + ($1 ? 1 : 0) }
    }
}
