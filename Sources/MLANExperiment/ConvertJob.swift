import Foundation
import MLANModel

/// `mlan model convert`: any loadable language model (GGUF or Hugging Face) written as a Hugging Face directory
/// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json with the chat template,
/// special_tokens_map.json, generation_config.json) that transformers and lm-evaluation-harness can load.
public enum ConvertJob {
    /// Converts `model` into `directory`; returns a one-line description.
    /// - Throws: loading and writing errors naming the file.
    public static func run(model: URL, to directory: URL) throws -> String {
        let loaded = try LanguageModelLoader.load(from: model)
        try HuggingFaceWriter.save(loaded.model, tokenizer: loaded.tokenizer, chatTemplate: loaded.chatTemplate, to: directory)
        return "Wrote \(directory.path) (\(loaded.model.parameterCount) parameters)"
    }
}
