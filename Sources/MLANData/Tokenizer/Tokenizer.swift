/// Turns text into token ids and back.
///
/// ```swift
/// let tokenizer: any Tokenizer = try BPETokenizer.load(from: url)
/// let ids = tokenizer.encode("<|im_start|>user\nHi", addSpecialTokens: false)  // added tokens are matched
/// let text = tokenizer.decode(ids, skipSpecialTokens: true)                    // "user\nHi"
/// ```
public protocol Tokenizer: Sendable {
    /// The number of ids, added tokens included.
    var vocabularySize: Int { get }
    /// Beginning-of-sequence id, if the tokenizer has one.
    var bosTokenID: Int? { get }
    /// End-of-sequence id, if the tokenizer has one.
    var eosTokenID: Int? { get }
    /// Padding id, if the tokenizer has one.
    var padTokenID: Int? { get }
    /// Ids of `text`; with `addSpecialTokens` the tokenizer's post-processor adds its special tokens (e.g. BOS).
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]
    /// Ids and loss mask of consecutive texts of a rendered prompt (no special tokens added): template markup
    /// such as `</s>` is matched as the token it stands for. The default encodes each text on its own with
    /// `encode(_:addSpecialTokens: false)`; a SentencePiece tokenizer encodes the joined stretch, because its
    /// dummy prefix and merges depend on where a stretch starts.
    func encode(markup texts: [(text: String, isTarget: Bool)]) -> TokenizedExample
    /// Text of `ids`; with `skipSpecialTokens` special/added tokens are left out.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
    /// The id of a token string (vocabulary entry or added token), if present.
    func tokenID(_ token: String) -> Int?
    /// The token string of an id, if in range.
    func token(_ id: Int) -> String?
}

/// Token ids with the loss mask that came out of tokenization.
public struct TokenizedExample: Sendable, Equatable {
    /// Token ids; an image slot is the image placeholder id.
    public var ids: [Int]
    /// `isTarget[i]` is true when token `i` is supervised (predicted by the model from position `i - 1`).
    public var isTarget: [Bool]

    /// Ids with their mask; the two must have the same length.
    public init(ids: [Int], isTarget: [Bool]) {
        precondition(ids.count == isTarget.count, "ids (\(ids.count)) and isTarget (\(isTarget.count)) differ")
        self.ids = ids
        self.isTarget = isTarget
    }

    /// Hugging Face-shaped labels: the id where supervised, -100 elsewhere.
    public var labels: [Int] { zip(ids, isTarget).map { $1 ? $0 : -100 } }
}
