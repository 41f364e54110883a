/// How Llama's tokenizer turns a stretch of text into the words it merges: SentencePiece's normalizer
/// (`add_dummy_prefix`, whitespace escaped as `▁`, optionally `remove_extra_whitespaces`), or Hugging Face's
/// `Prepend`/`Replace` normalizers and `Metaspace` pre-tokenizer that express the same.
///
/// Each character carries a flag through normalization (whether it belongs to a supervised segment), so that
/// tokens can be marked from the text they came from.
public struct SentencePieceNormalizer: Sendable, Equatable {
    /// Where `Metaspace` puts its `▁` before the text (Hugging Face `prepend_scheme`).
    public enum PrependScheme: String, Sendable, Equatable {
        /// Before every stretch that does not already start with `▁`.
        case always
        /// Only before the stretch at the start of the input.
        case first
        /// Never.
        case never
    }

    /// One normalization step, applied in order.
    public enum Step: Sendable, Equatable {
        /// SentencePiece `remove_extra_whitespaces`: strip leading and trailing spaces, collapse runs to one.
        case collapseSpaces
        /// Put this text first when the stretch is not empty (`add_dummy_prefix`, Hugging Face `Prepend`).
        case prepend(String)
        /// Replace every occurrence of `pattern` with `content` (Hugging Face `Replace` with a string pattern).
        case replace(pattern: String, content: String)
        /// Hugging Face `Metaspace`: spaces become `replacement`, which is prepended per `prependScheme`; with
        /// `split` the stretch is cut into words before each `replacement`.
        case metaspace(replacement: String, prependScheme: PrependScheme, split: Bool)
    }

    /// The steps, in order.
    public var steps: [Step]

    /// A normalizer running `steps`.
    public init(steps: [Step]) { self.steps = steps }

    /// SentencePiece's identity normalizer with its whitespace options.
    public static func sentencePiece(addsDummyPrefix: Bool, removesExtraWhitespaces: Bool) -> SentencePieceNormalizer {
        SentencePieceNormalizer(steps: (removesExtraWhitespaces ? [.collapseSpaces] : [])
            + (addsDummyPrefix ? [.prepend("▁")] : []) + [.replace(pattern: " ", content: "▁")])
    }

    /// A character with the flag of the text it came from.
    typealias FlaggedScalar = (scalar: Unicode.Scalar, flag: Bool)

    /// The words of `text`; `isInputStart` says whether it begins the whole input (for `PrependScheme.first`).
    func words(_ text: [FlaggedScalar], isInputStart: Bool) -> [[FlaggedScalar]] {
        var words = [text]
        for step in steps {
            switch step {
            case .collapseSpaces:
                words = words.map(Self.collapsingSpaces)
            case .prepend(let prefix):
                words = words.map { word in word.isEmpty ? word : prefix.unicodeScalars.map { ($0, word[0].flag) } + word }
            case .replace(let pattern, let content):
                words = words.map { Self.replacing(Array(pattern.unicodeScalars), with: Array(content.unicodeScalars), in: $0) }
            case .metaspace(let replacement, let scheme, let split):
                let mark = Array(replacement.unicodeScalars)
                words = words.flatMap { word -> [[FlaggedScalar]] in
                    var out = Self.replacing([" "], with: mark, in: word)
                    let prepends = scheme == .always || (scheme == .first && isInputStart)
                    if prepends, !out.isEmpty, !out.map(\.scalar).starts(with: mark) {
                        out = mark.map { ($0, out[0].flag) } + out
                    }
                    return split ? Self.splitting(out, before: mark) : [out]
                }
            }
        }
        return words.filter { !$0.isEmpty }
    }

    private static func collapsingSpaces(_ text: [FlaggedScalar]) -> [FlaggedScalar] {
        var out: [FlaggedScalar] = []
        for item in text where !(item.scalar == " " && (out.isEmpty || out.last?.scalar == " ")) { out.append(item) }
        if out.last?.scalar == " " { out.removeLast() }
        return out
    }

    private static func replacing(_ pattern: [Unicode.Scalar], with content: [Unicode.Scalar],
                                  in text: [FlaggedScalar]) -> [FlaggedScalar] {
        guard !pattern.isEmpty else { return text }
        var out: [FlaggedScalar] = [], i = 0
        out.reserveCapacity(text.count)
        while i < text.count {
            if i + pattern.count <= text.count, (0..<pattern.count).allSatisfy({ text[i + $0].scalar == pattern[$0] }) {
                out += content.map { ($0, text[i].flag) }
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// Hugging Face's `MergedWithNext` split: each word starts at a `mark`.
    private static func splitting(_ text: [FlaggedScalar], before mark: [Unicode.Scalar]) -> [[FlaggedScalar]] {
        guard !mark.isEmpty else { return [text] }
        var words: [[FlaggedScalar]] = [], current: [FlaggedScalar] = [], i = 0
        while i < text.count {
            if i + mark.count <= text.count, (0..<mark.count).allSatisfy({ text[i + $0].scalar == mark[$0] }),
               !current.isEmpty {
                words.append(current)
                current = []
            }
            current.append(text[i])
            i += 1
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
