import MLANCore
import MLANData

extension BPETokenizer {
    /// Builds the byte-level BPE tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata.
    ///
    /// Control tokens (type 3) and user-defined tokens (type 4) become added tokens matched whole (control
    /// ones special); `tokenizer.ggml.pre` names the pre-tokenizer; `add_bos_token` puts BOS first.
    /// - Throws: `ModelError.invalidConfig` when the metadata is not a GPT-2-style BPE tokenizer MLAN knows.
    public init(gguf: GGUFFile) throws {
        do {
            let model = try gguf.string("tokenizer.ggml.model")
            guard model == "gpt2" else {
                throw ModelError.invalidConfig(path: gguf.path, reason: "tokenizer.ggml.model '\(model)' is not byte-level BPE (gpt2)")
            }
            let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
            let types = gguf.contains("tokenizer.ggml.token_type") ? try gguf.intArray("tokenizer.ggml.token_type")
                : [Int](repeating: 1, count: tokens.count)
            let merges = try gguf.stringArray("tokenizer.ggml.merges").enumerated().map { index, merge in
                let parts = merge.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw ModelError.invalidConfig(path: gguf.path, reason: "tokenizer.ggml.merges[\(index)] '\(merge)' is not 'a b'")
                }
                return (String(parts[0]), String(parts[1]))
            }
            let added = types.enumerated().filter { $0.element == 3 || $0.element == 4 }.map {
                AddedToken(id: $0.offset, content: tokens[$0.offset], special: $0.element == 3)
            }
            let preName = gguf.contains("tokenizer.ggml.pre") ? try gguf.string("tokenizer.ggml.pre") : "gpt2"
            let bos = try? gguf.int("tokenizer.ggml.bos_token_id")
            let addBOS = (try? gguf.bool("tokenizer.ggml.add_bos_token")) ?? false
            try self.init(vocabulary: tokens, merges: merges, addedTokens: added,
                          preTokenizer: try PreTokenizer.named(preName),
                          postProcessor: PostProcessor(prefix: addBOS ? bos.map { [$0] } ?? [] : []),
                          bosTokenID: bos, eosTokenID: try? gguf.int("tokenizer.ggml.eos_token_id"),
                          padTokenID: try? gguf.int("tokenizer.ggml.padding_token_id"))
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.invalidConfig(path: gguf.path, reason: "tokenizer metadata: \(InputFile.reason(for: error))")
        }
    }
}

extension LlamaTokenizer {
    /// Builds Llama's SentencePiece tokenizer from GGUF metadata with `tokenizer.ggml.model == "llama"`:
    /// `tokens`, `scores` and `token_type` (SentencePiece's piece types), the BOS/EOS/unknown/padding ids,
    /// `add_bos_token` (default true), `add_space_prefix` (default true) and `remove_extra_whitespaces` (default
    /// false). Byte fallback is on when the vocabulary has `<0xNN>` byte pieces.
    /// - Throws: `ModelError.invalidConfig` naming the file when the metadata is missing, of another tokenizer
    ///   model, or inconsistent.
    public init(gguf: GGUFFile) throws {
        do {
            let model = try gguf.string("tokenizer.ggml.model")
            guard model == "llama" else {
                throw ModelError.invalidConfig(path: gguf.path, reason: "tokenizer.ggml.model '\(model)' is not SentencePiece (llama)")
            }
            let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
            let scores = try gguf.floatArray("tokenizer.ggml.scores")
            let types = try gguf.intArray("tokenizer.ggml.token_type")
            guard scores.count == tokens.count, types.count == tokens.count else {
                throw ModelError.invalidConfig(path: gguf.path, reason: "tokenizer.ggml.tokens (\(tokens.count)), "
                    + "scores (\(scores.count)) and token_type (\(types.count)) differ in length")
            }
            let pieces = try tokens.indices.map { id in
                guard let type = SentencePieceVocabulary.PieceType(rawValue: types[id]) else {
                    throw ModelError.invalidConfig(path: gguf.path, reason: "tokenizer.ggml.token_type[\(id)] is \(types[id])")
                }
                return SentencePieceVocabulary.Piece(tokens[id], score: scores[id], type: type)
            }
            func flag(_ key: String, default value: Bool) throws -> Bool {
                gguf.contains(key) ? try gguf.bool(key) : value
            }
            func id(_ key: String, default value: Int?) throws -> Int? {
                guard gguf.contains(key) else { return value }
                let id = try gguf.int(key)
                return tokens.indices.contains(id) ? id : nil
            }
            let vocabulary = SentencePieceVocabulary(
                pieces: pieces, addsDummyPrefix: try flag("tokenizer.ggml.add_space_prefix", default: true),
                removesExtraWhitespaces: try flag("tokenizer.ggml.remove_extra_whitespaces", default: false),
                usesByteFallback: pieces.contains { $0.type == .byte },
                unknownID: try id("tokenizer.ggml.unknown_token_id", default: 0),
                bosID: try id("tokenizer.ggml.bos_token_id", default: 1),
                eosID: try id("tokenizer.ggml.eos_token_id", default: 2),
                padID: try id("tokenizer.ggml.padding_token_id", default: nil))
            let userDefined = pieces.indices.filter { pieces[$0].type == .userDefined }.map {
                AddedToken(id: $0, content: pieces[$0].text, special: false)
            }
            try self.init(vocabulary: vocabulary, addedTokens: userDefined,
                          addsBOS: try flag("tokenizer.ggml.add_bos_token", default: true))
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.invalidConfig(path: gguf.path, reason: "tokenizer metadata: \(InputFile.reason(for: error))")
        }
    }
}

extension GGUFFile {
    /// The tokenizer this file's metadata describes: ``LlamaTokenizer`` for `tokenizer.ggml.model` `llama`,
    /// byte-level ``BPETokenizer`` for `gpt2`.
    /// - Throws: `ModelError.invalidConfig` naming the file for another or a missing tokenizer model.
    public func tokenizer() throws -> any Tokenizer {
        let model: String
        do { model = try string("tokenizer.ggml.model") } catch {
            throw ModelError.invalidConfig(path: path, reason: "no tokenizer metadata: \(InputFile.reason(for: error))")
        }
        switch model {
        case "llama": return try LlamaTokenizer(gguf: self)
        case "gpt2": return try BPETokenizer(gguf: self)
        default:
            throw ModelError.invalidConfig(path: path, reason: "tokenizer.ggml.model '\(model)' is neither llama "
                                           + "(SentencePiece) nor gpt2 (byte-level BPE)")
        }
    }
}
