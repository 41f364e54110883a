import Foundation
import MLANCore
import MLANData

/// A Llama-family language model with its tokenizer, as loaded from disk.
public struct LoadedLanguageModel {
    public let model: LlamaForCausalLM
    public let tokenizer: BPETokenizer
    /// Where it came from.
    public let url: URL
    /// "gguf" or "huggingface".
    public let format: String
}

/// Loads Llama-family checkpoints: a GGUF file or a Hugging Face directory (config.json, safetensors, tokenizer.json).
public enum LanguageModelLoader {
    /// Loads the model and tokenizer at `url`, its weight matrices in `weights` form (`.f32`, the default, gives
    /// trainable Float32 parameters; the other forms keep them frozen, see `WeightForm`).
    /// - Throws: `ModelError.unrecognizedModel`, config errors, or `CheckpointError` from the strict load.
    public static func load(from url: URL, weights: WeightForm = .f32) throws -> LoadedLanguageModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError.unrecognizedModel(path: url.path)
        }
        if isDirectory.boolValue { return try loadHuggingFace(directory: url, weights: weights) }
        if url.pathExtension.lowercased() == "gguf" { return try loadGGUF(url, weights: weights) }
        throw ModelError.unrecognizedModel(path: url.path)
    }

    /// Loads a llama-architecture GGUF file (Q/K un-permuted to Hugging Face layout). The file stays mapped:
    /// `.native` matrices are read from it in place.
    public static func loadGGUF(_ url: URL, weights: WeightForm = .f32) throws -> LoadedLanguageModel {
        let file = try GGUFFile.load(from: url)
        let config = try LlamaConfig(gguf: file)
        let tokenizer = try BPETokenizer(gguf: file)
        let source = GGUFSource(file, config: config)
        let model = try LlamaAssembly(config: config, source: source, gguf: source, form: weights).build()
        return LoadedLanguageModel(model: model, tokenizer: tokenizer, url: url, format: "gguf")
    }

    /// Loads a Hugging Face model directory (`.native` is Float32 here).
    public static func loadHuggingFace(directory: URL, weights: WeightForm = .f32) throws -> LoadedLanguageModel {
        let config = try LlamaConfig.load(from: directory.appendingPathComponent("config.json"))
        var tokenizer = try BPETokenizer.load(from: directory.appendingPathComponent("tokenizer.json"))
        tokenizer.bosTokenID = tokenizer.bosTokenID ?? config.bosTokenID
        tokenizer.eosTokenID = tokenizer.eosTokenID ?? config.eosTokenID
        tokenizer.padTokenID = tokenizer.padTokenID ?? config.padTokenID
        let model = try LlamaAssembly(config: config, source: SafetensorsSource(directory: directory), gguf: nil,
                                      form: weights).build()
        return LoadedLanguageModel(model: model, tokenizer: tokenizer, url: directory, format: "huggingface")
    }
}
