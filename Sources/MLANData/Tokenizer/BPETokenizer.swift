import Foundation

/// A byte-level BPE tokenizer (GPT-2, SmolLM2, Llama 3 families) that encodes exactly as Hugging Face
/// `tokenizers` does.
///
/// Encoding splits out added tokens, pre-tokenizes each remaining piece into words, and merges each word's bytes
/// by merge rank. Loaded from a `tokenizer.json` (`load(from:)`), built from GGUF metadata
/// (`init(tokens:merges:tokenTypes:...)`), or trained (`BPETrainer`).
/// ```swift
/// let tokenizer = try BPETokenizer.load(from: url)
/// let ids = tokenizer.encode("Hello world", addSpecialTokens: false)  // [19556, 905] for SmolLM2
/// tokenizer.decode(ids, skipSpecialTokens: false)                     // "Hello world"
/// ```
public struct BPETokenizer: Tokenizer {
    /// The BPE vocabulary: token strings in byte-level scalars, index = id.
    public let vocabulary: [String]
    /// Token strings by id: the vocabulary, with added tokens' contents at their ids.
    public let tokens: [String]
    /// Merges in rank order, as pairs of token ids.
    public let merges: [(Int, Int)]
    /// Tokens matched whole before pre-tokenization.
    public let addedTokens: [AddedToken]
    /// How text is cut into words.
    public let preTokenizer: PreTokenizer
    /// What `addSpecialTokens` adds.
    public let postProcessor: PostProcessor
    /// Hugging Face `ignore_merges`: a word that is a vocabulary entry is one token without merging.
    public let ignoresMerges: Bool
    /// Hugging Face `unk_token`: the token a byte without its own token becomes.
    public let unknownTokenID: Int?
    /// Hugging Face `fuse_unk`: consecutive unknown bytes become one unknown token.
    public let fusesUnknown: Bool
    /// Beginning-of-sequence id, if known (`tokenizer.json` does not say; set it from the model's config).
    public var bosTokenID: Int?
    /// End-of-sequence id, if known.
    public var eosTokenID: Int?
    /// Padding id, if known.
    public var padTokenID: Int?

    /// The number of ids: the vocabulary plus added tokens beyond it.
    public var vocabularySize: Int { tokens.count }

    let model: BPEModel
    let matcher: AddedTokenMatcher
    /// Ids by the UTF-8 of their token string (exact bytes, unlike `String` equality).
    let ids: [ByteString: Int]
    /// Per id: the bytes it decodes to, as a range of `decodeArena`.
    let decodeArena: [UInt8]
    let decodeOffsets: [Int]
    let isSpecial: [Bool]

    /// Builds a tokenizer from plain values.
    /// - Parameters:
    ///   - vocabulary: the BPE vocabulary, token strings in byte-level scalars, index = id.
    ///   - merges: merge pairs in rank order; a repeated pair keeps its last rank, as in Hugging Face.
    ///   - addedTokens: tokens matched whole; an id past the vocabulary extends it.
    ///   - unknownToken: what a byte without its own token becomes; with none such bytes are dropped.
    /// - Throws: `TokenizerError` when a merge is not in the vocabulary or ids clash.
    public init(vocabulary: [String], merges: [(String, String)], addedTokens: [AddedToken] = [],
                preTokenizer: PreTokenizer, postProcessor: PostProcessor = .none, ignoresMerges: Bool = false,
                unknownToken: String? = nil, fusesUnknown: Bool = false,
                bosTokenID: Int? = nil, eosTokenID: Int? = nil, padTokenID: Int? = nil) throws {
        try self.init(source: "<memory>", vocabulary: vocabulary, merges: merges, addedTokens: addedTokens,
                      preTokenizer: preTokenizer, postProcessor: postProcessor, ignoresMerges: ignoresMerges,
                      unknownToken: unknownToken, fusesUnknown: fusesUnknown,
                      bosTokenID: bosTokenID, eosTokenID: eosTokenID, padTokenID: padTokenID)
    }

    init(source: String, vocabulary: [String], merges mergeStrings: [(String, String)], addedTokens: [AddedToken],
         preTokenizer: PreTokenizer, postProcessor: PostProcessor, ignoresMerges: Bool,
         unknownToken: String?, fusesUnknown: Bool,
         bosTokenID: Int?, eosTokenID: Int?, padTokenID: Int?) throws {
        guard preTokenizer.hasByteLevel else {
            throw TokenizerError.unsupported(file: source, field: "pre_tokenizer", type: "without ByteLevel")
        }
        var vocabularyIDs: [ByteString: Int] = [:]
        vocabularyIDs.reserveCapacity(vocabulary.count)
        for (id, token) in vocabulary.enumerated() {
            if let other = vocabularyIDs.updateValue(id, forKey: ByteString(token)) {
                throw TokenizerError.inconsistentIDs(file: source, id: id, reason: "`\(token)` is also id \(other)")
            }
        }
        var tokens = vocabulary
        var isSpecial = [Bool](repeating: false, count: vocabulary.count)
        for added in addedTokens.sorted(by: { $0.id < $1.id }) {
            guard added.id >= 0 else {
                throw TokenizerError.inconsistentIDs(file: source, id: added.id, reason: "negative added-token id")
            }
            if added.id >= tokens.count {
                guard added.id == tokens.count else {
                    throw TokenizerError.inconsistentIDs(file: source, id: tokens.count, reason: "no token has this id")
                }
                tokens.append(added.content)
                isSpecial.append(false)
            }
            tokens[added.id] = added.content
            isSpecial[added.id] = added.special
        }
        var ids = vocabularyIDs
        for added in addedTokens { ids[ByteString(added.content)] = added.id }

        let byteIDs = (0..<256).map { byte in
            Int32(vocabularyIDs[ByteString(String(ByteLevel.scalarForByte[byte]))] ?? -1)
        }
        var unknownID: Int?
        if let unknownToken {
            guard let id = ids[ByteString(unknownToken)] else {
                throw TokenizerError.invalidField(file: source, field: "model.unk_token",
                                                  reason: "`\(unknownToken)` is not a token")
            }
            unknownID = id
        }
        var table = PairTable(capacity: mergeStrings.count)
        var lastRank: [Int: Int] = [:]  // packed pair → its last rank, to list each pair once
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(mergeStrings.count)
        for (rank, (a, b)) in mergeStrings.enumerated() {
            guard let left = vocabularyIDs[ByteString(a)], let right = vocabularyIDs[ByteString(b)],
                  let merged = vocabularyIDs[ByteString(Array(a.utf8) + Array(b.utf8))] else {
                throw TokenizerError.mergeOutOfVocabulary(file: source, rank: rank, pair: "\(a) \(b)")
            }
            table.insert(Int32(left), Int32(right), rank: rank, merged: Int32(merged))
            lastRank[left << 32 | right] = rank
            pairs.append((left, right))
        }
        self.merges = pairs.enumerated().filter { lastRank[$1.0 << 32 | $1.1] == $0 }.map(\.element)

        var wholeWords: [ByteString: Int32]?
        if ignoresMerges {
            wholeWords = [:]
            for (id, token) in vocabulary.enumerated() {
                if let bytes = ByteLevel.decode(token) { wholeWords?[ByteString(bytes)] = Int32(id) }
            }
        }
        var arena: [UInt8] = [], offsets = [0]
        for token in tokens {
            arena += ByteLevel.decode(token) ?? Array(token.utf8)  // Hugging Face's ByteLevel decoder rule
            offsets.append(arena.count)
        }

        self.vocabulary = vocabulary
        self.tokens = tokens
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        self.preTokenizer = preTokenizer
        self.postProcessor = postProcessor
        self.ignoresMerges = ignoresMerges
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
        self.unknownTokenID = unknownID
        self.fusesUnknown = fusesUnknown
        self.model = BPEModel(byteIDs: byteIDs, unknownID: unknownID.map(Int32.init), fusesUnknown: fusesUnknown,
                              merges: table, wholeWords: wholeWords)
        self.matcher = AddedTokenMatcher(addedTokens)
        self.ids = ids
        self.decodeArena = arena
        self.decodeOffsets = offsets
        self.isSpecial = isSpecial
    }

    /// Bytes that have no token and no unknown token to fall back on: `encode` drops them, as Hugging Face does
    /// (SmolLM2 lacks 21, e.g. 0x04 and 0xC0, most of which never occur in UTF-8).
    public var unencodableBytes: [UInt8] {
        unknownTokenID != nil ? [] : (0..<256).filter { model.byteIDs[$0] < 0 }.map { UInt8($0) }
    }

    /// Ids of `text`: added tokens are always matched; `addSpecialTokens` also applies the post-processor.
    /// Bytes in `unencodableBytes` are dropped.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecialTokens { ids += postProcessor.prefix }
        var text = text
        let pieces = text.withUTF8 { matcher.split($0) }
        var bytes: [UInt8] = [], words: [Range<Int>] = [], scratch: [Range<Int>] = []
        for piece in pieces {
            switch piece {
            case .token(let id):
                ids.append(Int(id))
            case .text(let range):
                bytes.removeAll(keepingCapacity: true)
                text.withUTF8 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
                preTokenizer.split(&bytes, into: &words, scratch: &scratch)
                bytes.withUnsafeBufferPointer { bytes in
                    for word in words { model.encodeWord(UnsafeBufferPointer(rebasing: bytes[word]), into: &ids) }
                }
            }
        }
        if addSpecialTokens { ids += postProcessor.suffix }
        return ids
    }

    /// Text of `ids` through the byte-level decoder; invalid UTF-8 and ids outside the vocabulary become U+FFFD.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            guard id >= 0 && id < tokens.count else {
                bytes += [0xEF, 0xBF, 0xBD]
                continue
            }
            if skipSpecialTokens && isSpecial[id] { continue }
            bytes += decodeArena[decodeOffsets[id]..<decodeOffsets[id + 1]]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The id of a token string (added tokens and byte-level vocabulary entries), compared byte for byte.
    public func tokenID(_ token: String) -> Int? {
        ids[ByteString(token)]
    }

    /// The token string of an id, if in range.
    public func token(_ id: Int) -> String? {
        tokens.indices.contains(id) ? tokens[id] : nil
    }

    /// This tokenizer with `contents` added as special tokens at the next free ids (strings already known keep
    /// their ids but become special), as Hugging Face's `add_special_tokens` does.
    /// - Throws: `TokenizerError` only if this tokenizer's own tables are inconsistent.
    public func addingSpecialTokens(_ contents: [String]) throws -> BPETokenizer {
        let added = addedTokens.addingSpecial(contents, existingID: tokenID, nextID: tokens.count)
        return try BPETokenizer(source: "<memory>", vocabulary: vocabulary, merges: mergeStrings, addedTokens: added,
                                preTokenizer: preTokenizer, postProcessor: postProcessor,
                                ignoresMerges: ignoresMerges, unknownToken: unknownTokenID.map { tokens[$0] },
                                fusesUnknown: fusesUnknown, bosTokenID: bosTokenID, eosTokenID: eosTokenID,
                                padTokenID: padTokenID)
    }

    /// The merges as vocabulary strings, in rank order.
    var mergeStrings: [(String, String)] {
        merges.map { (vocabulary[$0.0], vocabulary[$0.1]) }
    }
}
