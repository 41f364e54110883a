extension LlamaTokenizer {
    /// Ids and loss mask of a rendered prompt's text: the texts joined, added tokens and control pieces
    /// (`<s>`, `</s>`) matched as the tokens they stand for, each stretch between them encoded as a whole with
    /// its own dummy prefix (as Hugging Face's legacy Llama tokenizer and LLaVA's preprocessing do). A token is
    /// a target when any of its characters comes from a target text, so the `▁A` that carries a reply's leading
    /// space is supervised, as in LLaVA's `preprocess_v1`.
    public func encode(markup texts: [(text: String, isTarget: Bool)]) -> TokenizedExample {
        var bytes: [UInt8] = [], flags: [Bool] = []
        for (text, isTarget) in texts {
            bytes += text.utf8
            flags += repeatElement(isTarget, count: text.utf8.count)
        }
        let (ids, isTarget) = encode(flagged: bytes, flags: flags, matcher: markupMatcher)
        return TokenizedExample(ids: ids, isTarget: isTarget)
    }

    /// Ids of UTF-8 `bytes` (with per-byte `flags`, or all false) and each id's flag.
    func encode(flagged bytes: [UInt8], flags: [Bool]?, matcher: AddedTokenMatcher) -> (ids: [Int], isTarget: [Bool]) {
        let pieces: [AddedTokenPiece] = matcher.isEmpty ? [.text(0..<bytes.count)]
            : bytes.withUnsafeBufferPointer { matcher.split($0) }
        var ids: [Int] = [], isTarget: [Bool] = []
        var cursor = 0
        for (index, piece) in pieces.enumerated() {
            switch piece {
            case .text(let range):
                encodeStretch(bytes, range, flags: flags, isInputStart: range.lowerBound == 0, into: &ids, &isTarget)
                cursor = range.upperBound
            case .token(let id):
                var end = cursor + (token(Int(id))?.utf8.count ?? 0)
                if index + 1 < pieces.count, case .text(let following) = pieces[index + 1] { end = following.lowerBound }
                end = min(max(end, cursor), bytes.count)
                ids.append(Int(id))
                isTarget.append(flags.map { $0[cursor..<end].contains(true) } ?? false)
                cursor = end
            }
        }
        return (ids, isTarget)
    }

    /// Encodes `bytes[range]`: normalize, merge each word, map final symbols to ids with byte fallback.
    private func encodeStretch(_ bytes: [UInt8], _ range: Range<Int>, flags: [Bool]?, isInputStart: Bool,
                               into ids: inout [Int], _ isTarget: inout [Bool]) {
        guard !range.isEmpty else { return }
        var scalars: [SentencePieceNormalizer.FlaggedScalar] = []
        var offset = range.lowerBound
        for scalar in String(decoding: bytes[range], as: UTF8.self).unicodeScalars {
            scalars.append((scalar, flags.map { $0[offset] } ?? false))
            offset += UTF8.width(scalar)
        }
        var previousWasUnknown = false
        for word in normalizer.words(scalars, isInputStart: isInputStart) {
            var wordBytes: [UInt8] = [], wordFlags: [Bool] = [], starts: [Int] = []
            for (scalar, flag) in word {
                starts.append(wordBytes.count)
                let width = UTF8.width(scalar)
                wordBytes += String(scalar).utf8
                wordFlags += repeatElement(flag, count: width)
            }
            for symbol in bpe.segment(wordBytes, characterStarts: starts) {
                let flag = wordFlags[symbol].contains(true)
                if let id = symbolIDs[ByteString(Array(wordBytes[symbol]))] {
                    ids.append(id); isTarget.append(flag)
                    previousWasUnknown = false
                } else if vocabulary.usesByteFallback, wordBytes[symbol].allSatisfy({ byteIDs[Int($0)] != nil }) {
                    for byte in wordBytes[symbol] { ids.append(byteIDs[Int(byte)] ?? 0); isTarget.append(flag) }
                    previousWasUnknown = false
                } else if let unknown = vocabulary.unknownID {
                    if previousWasUnknown, let last = isTarget.indices.last {  // SentencePiece fuses unknown runs
                        isTarget[last] = isTarget[last] || flag
                    } else {
                        ids.append(unknown); isTarget.append(flag)
                    }
                    previousWasUnknown = true
                }
            }
        }
    }

    /// The byte a `<0xNN>` piece stands for.
    static func byteValue(_ text: String) -> UInt8? {
        guard text.count == 6, text.hasPrefix("<0x"), text.hasSuffix(">") else { return nil }
        return UInt8(text.dropFirst(3).prefix(2), radix: 16)
    }

    /// `bytes` as text: valid UTF-8 sequences as their characters, every other byte as U+FFFD.
    static func lenientUTF8(_ bytes: [UInt8]) -> String {
        var text = "", index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let width = lead < 0x80 ? 1 : lead >= 0xC2 && lead < 0xE0 ? 2 : lead >= 0xE0 && lead < 0xF0 ? 3
                : lead >= 0xF0 && lead < 0xF5 ? 4 : 0
            if width > 0, index + width <= bytes.count,
               let decoded = String(validating: bytes[index..<(index + width)], as: UTF8.self) {
                text += decoded
                index += width
            } else {
                text += "\u{FFFD}"
                index += 1
            }
        }
        return text
    }
}
