/// A token matched whole in the text before pre-tokenization (Hugging Face `added_tokens`), e.g. `<|im_start|>`.
public struct AddedToken: Sendable, Equatable {
    /// Its id.
    public var id: Int
    /// The exact text it stands for.
    public var content: String
    /// Special tokens are left out by `decode(_:skipSpecialTokens: true)`.
    public var special: Bool
    /// Matched only when not inside a word.
    public var singleWord: Bool
    /// The match also takes the whitespace on its left.
    public var lstrip: Bool
    /// The match also takes the whitespace on its right.
    public var rstrip: Bool
    /// Matched after normalization (MLAN has no normalizer, so this only orders the matching passes).
    public var normalized: Bool

    /// Creates an added token; `normalized` defaults to `!special`, as in Hugging Face.
    public init(id: Int, content: String, special: Bool = true, singleWord: Bool = false,
                lstrip: Bool = false, rstrip: Bool = false, normalized: Bool? = nil) {
        self.id = id
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized ?? !special
    }
}

extension [AddedToken] {
    /// These added tokens with `contents` made special, as Hugging Face's `add_special_tokens` does: an added token
    /// already there becomes special, a vocabulary string (`existingID`) keeps its id, a new one takes the next id
    /// from `nextID` on.
    func addingSpecial(_ contents: [String], existingID: (String) -> Int?, nextID: Int) -> [AddedToken] {
        var added = self
        var next = nextID
        for content in contents {
            if let index = added.firstIndex(where: { $0.content == content }) {
                added[index].special = true
            } else if let id = existingID(content) {
                added.append(AddedToken(id: id, content: content, special: true))
            } else {
                added.append(AddedToken(id: next, content: content, special: true))
                next += 1
            }
        }
        return added
    }
}

/// A piece of text after added tokens are split out.
enum AddedTokenPiece {
    /// Ordinary text, a byte range of the input.
    case text(Range<Int>)
    /// An added token's id.
    case token(Int32)
}

/// Splits text on added tokens the way Hugging Face does: leftmost-longest matches, non-normalized tokens in
/// a first pass and normalized ones in the ordinary text that remains.
struct AddedTokenMatcher: Sendable {
    private struct Entry: Sendable {
        var bytes: [UInt8], id: Int32, singleWord: Bool, lstrip: Bool, rstrip: Bool
    }
    /// Per pass, per first byte, the entries starting with it, longest first.
    private let passes: [[[Entry]]]

    init(_ tokens: [AddedToken]) {
        passes = [tokens.filter { !$0.normalized }, tokens.filter(\.normalized)].compactMap { group in
            guard !group.isEmpty else { return nil }
            var table = [[Entry]](repeating: [], count: 256)
            for token in group where !token.content.isEmpty {
                let bytes = Array(token.content.utf8)
                table[Int(bytes[0])].append(Entry(bytes: bytes, id: Int32(token.id), singleWord: token.singleWord,
                                                  lstrip: token.lstrip, rstrip: token.rstrip))
            }
            for byte in 0..<256 { table[byte].sort { $0.bytes.count > $1.bytes.count } }
            return table
        }
    }

    /// True when there is nothing to match.
    var isEmpty: Bool { passes.isEmpty }

    /// The pieces of `text`, in order.
    func split(_ text: UnsafeBufferPointer<UInt8>) -> [AddedTokenPiece] {
        var pieces: [AddedTokenPiece] = []
        split(text, range: 0..<text.count, pass: 0, into: &pieces)
        return pieces
    }

    private func split(_ s: UnsafeBufferPointer<UInt8>, range: Range<Int>, pass: Int,
                       into pieces: inout [AddedTokenPiece]) {
        guard pass < passes.count else { return pieces.append(.text(range)) }
        let table = passes[pass]
        var pieceStart = range.lowerBound, i = range.lowerBound
        scan: while i < range.upperBound {
            let candidates = table[Int(s[i])]
            guard !candidates.isEmpty else { i += 1; continue }
            for entry in candidates where entry.bytes.count <= range.upperBound - i {
                guard entry.bytes.withUnsafeBufferPointer({ bytesEqual($0, s, at: i) }) else { continue }
                var start = i, stop = i + entry.bytes.count
                if entry.singleWord && (isWordCharacter(before: start, in: s, from: range.lowerBound)
                                        || isWordCharacter(at: stop, in: s, to: range.upperBound)) {
                    i = stop  // a rejected match is stepped over, as Hugging Face's match iterator does
                    continue scan
                }
                if entry.lstrip {
                    while start > pieceStart, let previous = scalarStart(before: start, in: s, from: pieceStart),
                          ScalarClass.of(decodeUTF8Scalar(s, at: previous).value) == .whitespace { start = previous }
                }
                if entry.rstrip {
                    while stop < range.upperBound {
                        let (value, length) = decodeUTF8Scalar(s, at: stop)
                        guard ScalarClass.of(value) == .whitespace else { break }
                        stop += length
                    }
                }
                if pieceStart < start { split(s, range: pieceStart..<start, pass: pass + 1, into: &pieces) }
                pieces.append(.token(entry.id))
                pieceStart = stop; i = stop
                continue scan
            }
            i += 1
        }
        if pieceStart < range.upperBound {
            split(s, range: pieceStart..<range.upperBound, pass: pass + 1, into: &pieces)
        }
    }

    private func bytesEqual(_ pattern: UnsafeBufferPointer<UInt8>, _ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        for k in 0..<pattern.count where pattern[k] != s[i + k] { return false }
        return true
    }

    private func scalarStart(before index: Int, in s: UnsafeBufferPointer<UInt8>, from lower: Int) -> Int? {
        var j = index - 1
        while j > lower, s[j] & 0xC0 == 0x80 { j -= 1 }
        return j >= lower ? j : nil
    }

    private func isWordCharacter(before index: Int, in s: UnsafeBufferPointer<UInt8>, from lower: Int) -> Bool {
        guard index > lower, let start = scalarStart(before: index, in: s, from: lower) else { return false }
        return isWord(decodeUTF8Scalar(s, at: start).value)
    }

    private func isWordCharacter(at index: Int, in s: UnsafeBufferPointer<UInt8>, to upper: Int) -> Bool {
        index < upper && isWord(decodeUTF8Scalar(s, at: index).value)
    }

    /// Rust `regex`'s Unicode `\w` (Hugging Face's single-word test): Alphabetic, marks, decimal digits,
    /// connector punctuation and join controls.
    private func isWord(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
