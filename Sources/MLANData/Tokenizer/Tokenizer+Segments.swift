extension Tokenizer {
    /// Ids and loss mask of a rendered conversation, built segment by segment so labels cannot drift from text:
    /// each run of text segments goes through `encode(markup:)` (no special tokens added, added tokens and
    /// markup matched; each segment on its own for byte-level BPE), each image slot
    /// becomes one `imagePlaceholder` id (never a target), and `addBOS` puts `bosTokenID` first (not a target).
    ///
    /// Precondition: `addBOS` only for a tokenizer with a BOS id.
    public func encode(_ segments: [Segment], imagePlaceholder: Int, addBOS: Bool) -> TokenizedExample {
        var ids: [Int] = [], isTarget: [Bool] = []
        if addBOS {
            guard let bos = bosTokenID else { preconditionFailure("addBOS: true, but the tokenizer has no BOS id") }
            ids.append(bos)
            isTarget.append(false)
        }
        var texts: [(text: String, isTarget: Bool)] = []
        func flush() {
            guard !texts.isEmpty else { return }
            let stretch = encode(markup: texts)
            ids += stretch.ids
            isTarget += stretch.isTarget
            texts = []
        }
        for segment in segments {
            switch segment.content {
            case .image:
                flush()
                ids.append(imagePlaceholder)
                isTarget.append(false)
            case .text(let text):
                texts.append((text, segment.isTarget))
            }
        }
        flush()
        return TokenizedExample(ids: ids, isTarget: isTarget)
    }

    /// Each text encoded on its own, its ids all marked with its flag.
    public func encode(markup texts: [(text: String, isTarget: Bool)]) -> TokenizedExample {
        var ids: [Int] = [], isTarget: [Bool] = []
        for (text, target) in texts {
            let pieceIDs = encode(text, addSpecialTokens: false)
            ids += pieceIDs
            isTarget += repeatElement(target, count: pieceIDs.count)
        }
        return TokenizedExample(ids: ids, isTarget: isTarget)
    }

    /// Ids of a prompt string with `<image>` markers, as LLaVA's `tokenizer_image_token`: the text between markers
    /// encoded piece by piece (`encode(markup:)`), each marker one `imagePlaceholder` id, `bosTokenID` first when `addBOS`.
    ///
    /// Precondition: `addBOS` only for a tokenizer with a BOS id.
    public func encode(prompt: String, imagePlaceholder: Int, addBOS: Bool) -> [Int] {
        var ids: [Int] = []
        if addBOS {
            guard let bos = bosTokenID else { preconditionFailure("addBOS: true, but the tokenizer has no BOS id") }
            ids.append(bos)
        }
        for (index, piece) in ImageMarker.split(prompt).enumerated() {
            if index > 0 { ids.append(imagePlaceholder) }
            ids += encode(markup: [(piece, false)]).ids
        }
        return ids
    }
}
