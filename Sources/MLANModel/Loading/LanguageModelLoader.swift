import Foundation
import MLANCore
import MLANData

/// A Llama-family language model with its tokenizer, as loaded from disk.
public struct LoadedLanguageModel {
    public let model: LlamaForCausalLM
    /// Llama's SentencePiece tokenizer or a byte-level BPE, as the files give it.
    public let tokenizer: any Tokenizer
    /// The chat template the files carry (GGUF `tokenizer.chat_template`, `tokenizer_config.json`'s `chat_template`).
    public var chatTemplate: String? = nil
    /// Where it came from.
    public let url: URL
    /// "gguf", "huggingface", or "huggingface-llava" (the language model of a LLaVA directory).
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

    /// Loads a llama-architecture GGUF file (Q/K un-permuted to Hugging Face layout) with the tokenizer its
    /// metadata describes (`llama`: SentencePiece, `gpt2`: byte-level BPE). The file stays mapped: `.native`
    /// matrices are read from it in place.
    public static func loadGGUF(_ url: URL, weights: WeightForm = .f32) throws -> LoadedLanguageModel {
        let file = try GGUFFile.load(from: url)
        let config = try LlamaConfig(gguf: file)
        let tokenizer = try file.tokenizer()
        let source = GGUFSource(file, config: config)
        let model = try LlamaAssembly(config: config, source: source, form: weights).build()
        let template = file.contains("tokenizer.chat_template") ? try file.string("tokenizer.chat_template") : nil
        return LoadedLanguageModel(model: model, tokenizer: tokenizer, chatTemplate: template, url: url, format: "gguf")
    }

    /// Loads a Hugging Face model directory (weights in one file or sharded, F32/F16/BF16, the tokenizer as
    /// `TokenizerLoader.load(directory:config:)` finds it). `.native` keeps BF16/F16 matrices in 16 bits, read in
    /// place from the mapped shards; Float32 matrices stay Float32. A LLaVA directory (its `config.json` has a
    /// `vision_config`, as `mlan train` writes after stage 1 or 2) gives its language model, for text-only use.
    public static func loadHuggingFace(directory: URL, weights: WeightForm = .f32) throws -> LoadedLanguageModel {
        if MultimodalLoader.isLlavaDirectory(directory) {
            let llava = try LlavaForConditionalGeneration.load(from: directory, weights: weights)
            return LoadedLanguageModel(model: llava.languageModel,
                                       tokenizer: try TokenizerLoader.load(directory: directory, config: llava.config.textConfig),
                                       chatTemplate: try chatTemplate(in: directory), url: directory,
                                       format: "huggingface-llava")
        }
        let config = try LlamaConfig.load(from: directory.appendingPathComponent("config.json"))
        let tokenizer = try TokenizerLoader.load(directory: directory, config: config)
        let model = try LlamaAssembly(config: config, source: SafetensorsSource(directory: directory), form: weights).build()
        return LoadedLanguageModel(model: model, tokenizer: tokenizer, chatTemplate: try chatTemplate(in: directory),
                                   url: directory, format: "huggingface")
    }

    /// `chat_template` of `tokenizer_config.json` in `directory`, when it has a string one.
    /// - Throws: `ModelError.invalidConfig` naming the file when it is not JSON.
    static func chatTemplate(in directory: URL) throws -> String? {
        let url = directory.appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONValue.parse(Array(Data(contentsOf: url)))["chat_template"]?.stringValue } catch {
            throw ModelError.invalidConfig(path: url.path, reason: InputFile.reason(for: error))
        }
    }
}
