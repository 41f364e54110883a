import MLANCore

/// A decoder that turns input embeddings into next-token logits, with a KV cache: what generation and
/// log-likelihood scoring need. `LlamaForCausalLM` conforms; a LLaVA model generates through its language model.
public protocol CausalLanguageModel: AnyObject {
    /// The number of logits per position.
    var vocabularySize: Int { get }
    /// The most positions one sequence may have (`max_position_embeddings`).
    var contextLength: Int { get }
    /// Token embeddings `[n, D]` of `ids`.
    func embed(_ ids: [Int]) -> Tensor
    /// Logits `[B, T, V]` for embeddings `[B, T, D]` following what `cache` holds (which then holds them too).
    /// `padding[b]` covers the cached and the new positions (false: padding, never attended to, and not counted
    /// in the positions of the tokens after it).
    func logits(embeddings: Tensor, padding: [[Bool]]?, cache: KVCache?) -> Tensor
    /// Logits `[B, V]` of each row's last real (unpadded) new position, for embeddings `[B, T, D]` following what
    /// `cache` holds (which then holds them too): the head runs on one position per row (a prompt before
    /// generation, right-padded contexts before scoring their continuations).
    func lastLogits(embeddings: Tensor, padding: [[Bool]]?, cache: KVCache?) -> Tensor
    /// An empty cache for this model.
    func makeCache() -> KVCache
}

extension LlamaForCausalLM: CausalLanguageModel {
    public var vocabularySize: Int { config.vocabSize }
    public var contextLength: Int { config.maxPositionEmbeddings }
}

extension CausalLanguageModel {
    /// Throws unless every id lies in the vocabulary (call it before `embed` on ids from a file or a tokenizer
    /// that may not match the model).
    /// - Throws: `ModelError.tokenOutOfRange` naming the first id outside it.
    public func checkTokens(_ ids: [Int]) throws {
        if let bad = ids.first(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw ModelError.tokenOutOfRange(id: bad, vocabularySize: vocabularySize)
        }
    }

    /// Throws when a sequence of `length` positions does not fit the model's context.
    /// - Throws: `ModelError.sequenceTooLong` with both numbers.
    public func checkLength(_ length: Int) throws {
        if length > contextLength { throw ModelError.sequenceTooLong(length: length, limit: contextLength) }
    }

    /// Embeddings `[1, T, D]` of one row of ids.
    func embedRow(_ ids: [Int]) -> Tensor {
        let e = embed(ids)
        return e.reshaped([1, ids.count, e.shape[1]])
    }
}
