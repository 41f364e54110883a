import Foundation

extension LlamaTokenizer {
    /// Writes this tokenizer as a Hugging Face `tokenizer.json` shaped as transformers' Llama conversion writes
    /// it, atomically (`AtomicFile`): a BPE model with `byte_fallback`, the pieces as `vocab` in id order, merges
    /// ordered by the score of the piece they make, the normalizer as `Prepend("▁")` + `Replace(" ", "▁")` (or a
    /// `Metaspace` pre-tokenizer when the tokenizer was read with one), BOS as a `TemplateProcessing` post-processor,
    /// the `Replace`/`ByteFallback`/`Fuse`/`Strip` decoders, and the control and unknown pieces (`<unk> <s> </s>`)
    /// with every added token (e.g. `<image>`) as `added_tokens`.
    ///
    /// Merges come from the scores as transformers derives them: for each piece, every split into two pieces
    /// (by character, ordered by the two ids) ranks as that piece's score, higher first. A tokenizer read from a
    /// `tokenizer.json` writes its merges back in their rank order. Loading the file gives the same ids and text
    /// as this tokenizer. BOS/EOS/padding ids are not part of `tokenizer.json` (see `tokenizer_config.json`).
    /// - Throws: `TokenizerError.unwritable` naming the file when the normalizer has a step `tokenizer.json` cannot
    ///   express (SentencePiece's `remove_extra_whitespaces`) or the file cannot be written (its folder must exist).
    public func write(to url: URL) throws {
        let (normalizerJSON, preTokenizerJSON) = try jsonNormalization(file: url.path)
        var out = TokenizerJSONWriter()
        out.raw("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
        out.addedTokens(jsonAddedTokens)
        out.raw("  \"normalizer\": \(normalizerJSON),\n  \"pre_tokenizer\": \(preTokenizerJSON),\n  \"post_processor\": ")
        out.templateProcessing(postProcessor, name: { tokens[$0] })
        out.raw(",\n  \"decoder\": {\"type\": \"Sequence\", \"decoders\": [")
        out.raw("{\"type\": \"Replace\", \"pattern\": {\"String\": \"▁\"}, \"content\": \" \"}, ")
        out.raw("{\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"}")
        if vocabulary.addsDummyPrefix { out.raw(", {\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}") }
        out.raw("]},\n  \"model\": {\n    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": ")
        if let unknownID = vocabulary.unknownID { out.string(vocabulary.pieces[unknownID].text) } else { out.raw("null") }
        out.raw(", \"continuing_subword_prefix\": null, \"end_of_word_suffix\": null, \"fuse_unk\": true, ")
        out.raw("\"byte_fallback\": \(vocabulary.usesByteFallback), \"ignore_merges\": false,\n    \"vocab\": {")
        for (id, piece) in vocabulary.pieces.enumerated() {
            out.raw(id == 0 ? "\n      " : ",\n      ")
            out.string(piece.text); out.raw(": \(id)")
        }
        out.raw("\n    },\n    \"merges\": [")
        for (rank, (left, right)) in jsonMerges().enumerated() {
            out.raw(rank == 0 ? "\n      [" : ",\n      [")
            out.string(vocabulary.pieces[left].text); out.raw(", "); out.string(vocabulary.pieces[right].text); out.raw("]")
        }
        out.raw("\n    ]\n  }\n}\n")
        try out.writeAtomically(to: url)
    }

    /// The `added_tokens` of `tokenizer.json`: the control and unknown pieces as special tokens, then the added
    /// tokens, by id.
    package var jsonAddedTokens: [AddedToken] {
        var byID: [Int: AddedToken] = [:]
        for (id, piece) in vocabulary.pieces.enumerated() where piece.type == .control || piece.type == .unknown {
            byID[id] = AddedToken(id: id, content: piece.text, special: true)
        }
        for token in addedTokens { byID[token.id] = token }
        return byID.values.sorted { $0.id < $1.id }
    }

    /// The normalizer and pre-tokenizer as `tokenizer.json` values (`null` when empty).
    /// - Throws: `TokenizerError.unwritable` naming `file` for a step `tokenizer.json` cannot express.
    package func jsonNormalization(file: String) throws -> (normalizer: String, preTokenizer: String) {
        var normalizers: [String] = [], preTokenizers: [String] = []
        func normalizing(_ json: String) throws {
            guard preTokenizers.isEmpty else {
                throw TokenizerError.unwritable(file: file, reason: "a Prepend or Replace step after Metaspace has no tokenizer.json form")
            }
            normalizers.append(json)
        }
        let quoted = TokenizerJSONWriter.quoted
        for step in normalizer.steps {
            switch step {
            case .collapseSpaces:
                throw TokenizerError.unwritable(file: file, reason: "SentencePiece's remove_extra_whitespaces has no tokenizer.json form")
            case .prepend(let text):
                try normalizing("{\"type\": \"Prepend\", \"prepend\": \(quoted(text))}")
            case .replace(let pattern, let content):
                try normalizing("{\"type\": \"Replace\", \"pattern\": {\"String\": \(quoted(pattern))}, \"content\": \(quoted(content))}")
            case .metaspace(let replacement, let scheme, let split):
                preTokenizers.append("{\"type\": \"Metaspace\", \"replacement\": \(quoted(replacement)), "
                    + "\"prepend_scheme\": \"\(scheme.rawValue)\", \"split\": \(split)}")
            }
        }
        func sequence(_ items: [String], key: String) -> String {
            items.isEmpty ? "null" : "{\"type\": \"Sequence\", \"\(key)\": [\(items.joined(separator: ", "))]}"
        }
        return (sequence(normalizers, key: "normalizers"),
                preTokenizers.count == 1 ? preTokenizers[0] : sequence(preTokenizers, key: "pretokenizers"))
    }

    /// The merges as (left id, right id), highest priority first.
    func jsonMerges() -> [(Int, Int)] {
        switch bpe.priority {
        case .mergeRanks(let ranks):
            return ranks.sorted { $0.value.rank < $1.value.rank }.map { (Int($0.key >> 32), Int($0.key & 0xFFFF_FFFF)) }
        case .pieceScores(let scores):
            var merges: [(left: Int, right: Int, score: Float)] = []
            for (id, piece) in vocabulary.pieces.enumerated() {
                let bytes = ByteString(piece.text)
                guard let score = scores[bytes], bpe.pieceIDs[bytes] == id else { continue }
                var local: [(left: Int, right: Int)] = []
                var cut = piece.text.unicodeScalars.first.map { UTF8.width($0) } ?? 0
                for scalar in piece.text.unicodeScalars.dropFirst() {
                    if let left = bpe.pieceIDs[ByteString(Array(bytes.bytes[..<cut]))],
                       let right = bpe.pieceIDs[ByteString(Array(bytes.bytes[cut...]))] {
                        local.append((left, right))
                    }
                    cut += UTF8.width(scalar)
                }
                local.sort { $0.left != $1.left ? $0.left < $1.left : $0.right < $1.right }
                merges += local.map { ($0.left, $0.right, score) }
            }
            // Higher scores first; equal scores keep the order above (a stable sort, as transformers').
            let order = merges.indices.sorted { a, b in
                merges[a].score != merges[b].score ? merges[a].score > merges[b].score : a < b
            }
            return order.map { (merges[$0].left, merges[$0].right) }
        }
    }
}
