/// A SentencePiece vocabulary and the settings that decide how text becomes pieces: what every form of Llama's
/// tokenizer (`tokenizer.model`, `tokenizer.json`, GGUF `llama` metadata) reduces to.
public struct SentencePieceVocabulary: Sendable, Equatable {
    /// SentencePiece's piece types (`ModelProto.SentencePiece.Type`, the same numbers as GGUF's `token_type`).
    public enum PieceType: Int, Sendable, Equatable {
        /// An ordinary piece, a merge target.
        case normal = 1
        /// The unknown piece (`<unk>`).
        case unknown = 2
        /// A control piece (`<s>`, `</s>`): never produced from text by SentencePiece.
        case control = 3
        /// A user-defined piece: matched whole in the text.
        case userDefined = 4
        /// An unused piece: never produced.
        case unused = 5
        /// A byte-fallback piece `<0xNN>`.
        case byte = 6
    }

    /// One piece: its text (spaces written as `▁`), score (higher merges first) and type.
    public struct Piece: Sendable, Equatable {
        /// The piece's text, with `▁` (U+2581) for a space.
        public var text: String
        /// The merge priority: SentencePiece BPE merges the adjacent pair whose concatenation scores highest.
        public var score: Float
        /// What kind of piece it is.
        public var type: PieceType

        /// Creates a piece.
        public init(_ text: String, score: Float, type: PieceType = .normal) {
            self.text = text
            self.score = score
            self.type = type
        }
    }

    /// The pieces; index = id.
    public var pieces: [Piece]
    /// Put `▁` before non-empty text (`add_dummy_prefix`).
    public var addsDummyPrefix: Bool
    /// Strip leading and trailing spaces and collapse runs of spaces (`remove_extra_whitespaces`).
    public var removesExtraWhitespaces: Bool
    /// Unknown characters become their UTF-8 bytes' `<0xNN>` pieces (`byte_fallback`) rather than `<unk>`.
    public var usesByteFallback: Bool
    /// The unknown piece's id.
    public var unknownID: Int?
    /// Beginning-of-sequence id.
    public var bosID: Int?
    /// End-of-sequence id.
    public var eosID: Int?
    /// Padding id.
    public var padID: Int?

    /// A vocabulary with its settings; Llama's defaults apart from the pieces.
    public init(pieces: [Piece], addsDummyPrefix: Bool = true, removesExtraWhitespaces: Bool = false,
                usesByteFallback: Bool = true, unknownID: Int? = 0, bosID: Int? = 1, eosID: Int? = 2,
                padID: Int? = nil) {
        self.pieces = pieces
        self.addsDummyPrefix = addsDummyPrefix
        self.removesExtraWhitespaces = removesExtraWhitespaces
        self.usesByteFallback = usesByteFallback
        self.unknownID = unknownID
        self.bosID = bosID
        self.eosID = eosID
        self.padID = padID
    }
}
