/// Llama's (and Vicuna's, LLaVA-1.5's) SentencePiece BPE tokenizer, id for id with `sentencepiece`.
///
/// Encoding normalizes the text (`▁` for spaces, a dummy `▁` prefix), splits it into characters, merges the
/// adjacent pair whose piece scores highest until none merges, and writes characters without a piece as their
/// UTF-8 bytes' `<0xNN>` pieces (byte fallback). Built from any of the forms Llama ships in: `tokenizer.model`
/// (``load(from:)``, ``init(vocabulary:addedTokens:addsBOS:)``), a Hugging Face `tokenizer.json` with a
/// byte-fallback BPE model (``load(from:)``), or GGUF `llama` metadata (MLANModel's `LlamaTokenizer(gguf:)`).
///
/// Plain ``encode(_:addSpecialTokens:)`` reads control pieces written in the text (`<s>`, `</s>`, `<unk>`) as
/// text, as SentencePiece does; added tokens beyond them (e.g. LLaVA's `<image>`) are matched whole, each
/// stretch between them encoded on its own, as Hugging Face does. Rendered prompts (``encode(markup:)``, used by
/// templates) also match the control pieces, since a template's `</s>` stands for the end-of-sequence token.
/// ```swift
/// let tokenizer = try LlamaTokenizer.load(from: URL(fileURLWithPath: "tokenizer.model"))
/// tokenizer.encode("Hello world", addSpecialTokens: true)    // [1, 15043, 3186]
/// tokenizer.decode([1, 15043, 3186], skipSpecialTokens: true) // "Hello world"
/// ```
public struct LlamaTokenizer: Tokenizer {
    /// The SentencePiece vocabulary and its settings.
    public let vocabulary: SentencePieceVocabulary
    /// Tokens matched whole in text: those the file adds besides the vocabulary's control pieces.
    public let addedTokens: [AddedToken]
    /// How text becomes words.
    public let normalizer: SentencePieceNormalizer
    /// What `addSpecialTokens` adds (BOS for Llama).
    public let postProcessor: PostProcessor
    /// Beginning-of-sequence id.
    public var bosTokenID: Int?
    /// End-of-sequence id.
    public var eosTokenID: Int?
    /// Padding id.
    public var padTokenID: Int?

    /// The number of ids: the pieces plus added tokens beyond them.
    public var vocabularySize: Int { tokens.count }

    let bpe: SentencePieceBPE
    /// Per id, its text (added tokens' contents past the pieces).
    let tokens: [String]
    let isSpecial: [Bool]
    /// Ids a final symbol may take, by UTF-8 (normal, user-defined and unknown pieces).
    let symbolIDs: [ByteString: Int]
    /// The `<0xNN>` piece of each byte, when the vocabulary has it.
    let byteIDs: [Int?]
    /// Per id, the byte it stands for when it is a byte piece.
    let byteValues: [UInt8?]
    let textMatcher: AddedTokenMatcher
    let markupMatcher: AddedTokenMatcher
    let addedIDs: [String: Int]

    /// A tokenizer merging by piece score, as `sentencepiece` does.
    /// - Parameters:
    ///   - addedTokens: tokens matched whole in text; an id past the pieces extends the vocabulary.
    ///   - addsBOS: whether `encode(_:addSpecialTokens: true)` puts BOS first (Llama: true).
    /// - Throws: `TokenizerError.inconsistentIDs` when added-token ids leave a gap or are negative.
    public init(vocabulary: SentencePieceVocabulary, addedTokens: [AddedToken] = [], addsBOS: Bool = true) throws {
        var scores: [ByteString: Float] = [:]
        for piece in vocabulary.pieces where piece.type == .normal || piece.type == .userDefined {
            scores[ByteString(piece.text)] = piece.score
        }
        try self.init(source: "<memory>", vocabulary: vocabulary, priority: .pieceScores(scores),
                      normalizer: .sentencePiece(addsDummyPrefix: vocabulary.addsDummyPrefix,
                                                 removesExtraWhitespaces: vocabulary.removesExtraWhitespaces),
                      addedTokens: addedTokens,
                      postProcessor: PostProcessor(prefix: addsBOS ? vocabulary.bosID.map { [$0] } ?? [] : []))
    }

    init(source: String, vocabulary: SentencePieceVocabulary, priority: SentencePieceBPE.PairPriority,
         normalizer: SentencePieceNormalizer, addedTokens: [AddedToken], postProcessor: PostProcessor) throws {
        var tokens = vocabulary.pieces.map(\.text)
        var isSpecial = vocabulary.pieces.map { $0.type == .control || $0.type == .unknown }
        var pieceIDs: [ByteString: Int] = [:], symbolIDs: [ByteString: Int] = [:]
        var byteIDs = [Int?](repeating: nil, count: 256)
        var byteValues = [UInt8?](repeating: nil, count: vocabulary.pieces.count)
        for (id, piece) in vocabulary.pieces.enumerated() {
            let key = ByteString(piece.text)
            if pieceIDs[key] == nil { pieceIDs[key] = id }
            switch piece.type {
            case .normal, .userDefined, .unknown:
                if symbolIDs[key] == nil { symbolIDs[key] = id }
            case .byte:
                guard let value = Self.byteValue(piece.text) else {
                    throw TokenizerError.inconsistentIDs(file: source, id: id, reason: "byte piece `\(piece.text)` is not <0xNN>")
                }
                byteIDs[Int(value)] = byteIDs[Int(value)] ?? id
                byteValues[id] = value
            case .control, .unused:
                break
            }
        }
        var addedIDs: [String: Int] = [:]
        for added in addedTokens.sorted(by: { $0.id < $1.id }) {
            guard added.id >= 0 else {
                throw TokenizerError.inconsistentIDs(file: source, id: added.id, reason: "negative added-token id")
            }
            if added.id >= tokens.count {
                guard added.id == tokens.count else {
                    throw TokenizerError.inconsistentIDs(file: source, id: tokens.count, reason: "no token has this id")
                }
                tokens.append(added.content)
                isSpecial.append(added.special)
                byteValues.append(nil)
            } else {
                isSpecial[added.id] = isSpecial[added.id] || added.special
            }
            addedIDs[added.content] = added.id
        }
        // SentencePiece never reads its control and unknown pieces from text; Hugging Face's added tokens for
        // them (`<unk> <s> </s>` in Llama's tokenizer.json) are matched only in rendered prompts.
        let reserved = Set(vocabulary.pieces.indices.filter {
            vocabulary.pieces[$0].type == .control || vocabulary.pieces[$0].type == .unknown
        })
        let textTokens = addedTokens.filter { !reserved.contains($0.id) }
        let markupTokens = addedTokens + reserved.sorted().filter { id in !addedTokens.contains { $0.id == id } }
            .map { AddedToken(id: $0, content: vocabulary.pieces[$0].text, special: true) }
        for token in markupTokens where addedIDs[token.content] == nil { addedIDs[token.content] = token.id }

        self.vocabulary = vocabulary
        self.addedTokens = textTokens
        self.normalizer = normalizer
        self.postProcessor = postProcessor
        self.bosTokenID = vocabulary.bosID
        self.eosTokenID = vocabulary.eosID
        self.padTokenID = vocabulary.padID
        self.bpe = SentencePieceBPE(priority: priority, pieceIDs: pieceIDs)
        self.tokens = tokens
        self.isSpecial = isSpecial
        self.symbolIDs = symbolIDs
        self.byteIDs = byteIDs
        self.byteValues = byteValues
        self.textMatcher = AddedTokenMatcher(textTokens)
        self.markupMatcher = AddedTokenMatcher(markupTokens)
        self.addedIDs = addedIDs
    }

    /// Ids of `text`; with `addSpecialTokens` BOS first (when the tokenizer adds it).
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        let ids = encode(flagged: Array(text.utf8), flags: nil, matcher: textMatcher).ids
        return addSpecialTokens ? postProcessor.prefix + ids + postProcessor.suffix : ids
    }

    /// The text of `ids`: pieces joined, `▁` as spaces, byte pieces as UTF-8 (each invalid byte U+FFFD), the
    /// dummy prefix's space removed; with `skipSpecialTokens` control and unknown pieces and special added tokens
    /// are left out. Ids out of range are skipped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var text = "", pendingBytes: [UInt8] = []
        for id in ids where tokens.indices.contains(id) {
            if id < byteValues.count, let byte = byteValues[id] { pendingBytes.append(byte); continue }
            if !pendingBytes.isEmpty { text += Self.lenientUTF8(pendingBytes); pendingBytes = [] }
            if skipSpecialTokens && isSpecial[id] { continue }
            text += tokens[id]
        }
        if !pendingBytes.isEmpty { text += Self.lenientUTF8(pendingBytes) }
        var scalars = String.UnicodeScalarView(text.unicodeScalars.map { $0 == "▁" ? " " : $0 })
        if vocabulary.addsDummyPrefix, scalars.first == " " { scalars.removeFirst() }
        return String(scalars)
    }

    /// The id of a piece or added token.
    public func tokenID(_ token: String) -> Int? {
        addedIDs[token] ?? bpe.pieceIDs[ByteString(token)]
    }

    /// The piece or added token of an id.
    public func token(_ id: Int) -> String? { tokens.indices.contains(id) ? tokens[id] : nil }

    /// The unknown piece's id.
    public var unknownTokenID: Int? { vocabulary.unknownID }

    /// This tokenizer with `contents` as special added tokens (e.g. LLaVA's `<image>`): a piece or added token
    /// already there keeps its id, a new one takes the next id. BOS, EOS and padding ids stay as they are.
    /// - Throws: `TokenizerError.inconsistentIDs` if the ids do not fit (not expected for ids chosen here).
    public func addingSpecialTokens(_ contents: [String]) throws -> LlamaTokenizer {
        let added = addedTokens.addingSpecial(contents, existingID: tokenID, nextID: tokens.count)
        var result = try LlamaTokenizer(source: "<memory>", vocabulary: vocabulary, priority: bpe.priority,
                                        normalizer: normalizer, addedTokens: added, postProcessor: postProcessor)
        result.bosTokenID = bosTokenID
        result.eosTokenID = eosTokenID
        result.padTokenID = padTokenID
        return result
    }
}
