import Foundation
import MLANCore
import MLANData

/// Finds and loads the tokenizer a model ships, whichever of its forms it is in.
public enum TokenizerLoader {
    /// The tokenizer in `file`, recognised by content: a GGUF's `tokenizer.ggml.*` metadata, a SentencePiece
    /// `tokenizer.model`, or a `tokenizer.json` (Llama's SentencePiece-style BPE, or byte-level BPE).
    /// - Throws: `TokenizerError` / `GGUFError` / `ModelError` naming the file and field.
    public static func load(file: URL) throws -> any Tokenizer {
        switch try TokenizerFormat.detect(file) {
        case .gguf: return try GGUFFile.load(from: file).tokenizer()
        case .sentencePieceModel, .sentencePieceJSON: return try LlamaTokenizer.load(from: file)
        case .byteLevelJSON: return try BPETokenizer.load(from: file)
        }
    }

    /// The tokenizer of a Hugging Face model directory: `tokenizer.json`, else `tokenizer.model`. BOS, EOS and
    /// padding ids the tokenizer files leave out come from `config` (the decoder's `config.json`).
    /// - Throws: `ModelError.invalidConfig` naming the directory when it has neither file; tokenizer errors.
    public static func load(directory: URL, config: LlamaConfig?) throws -> any Tokenizer {
        let candidates = ["tokenizer.json", "tokenizer.model"].map { directory.appendingPathComponent($0) }
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw ModelError.invalidConfig(path: directory.path, reason: "no tokenizer.json or tokenizer.model")
        }
        let tokenizer = try load(file: file)
        guard let config else { return tokenizer }
        if var bpe = tokenizer as? BPETokenizer {
            bpe.bosTokenID = bpe.bosTokenID ?? config.bosTokenID
            bpe.eosTokenID = bpe.eosTokenID ?? config.eosTokenID
            bpe.padTokenID = bpe.padTokenID ?? config.padTokenID
            return bpe
        }
        if var llama = tokenizer as? LlamaTokenizer {
            llama.bosTokenID = llama.bosTokenID ?? config.bosTokenID
            llama.eosTokenID = llama.eosTokenID ?? config.eosTokenID
            llama.padTokenID = llama.padTokenID ?? config.padTokenID
            return llama
        }
        return tokenizer
    }
}
