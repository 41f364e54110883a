import Foundation
import MLANModel

/// `mlan model convert`: any loadable language model (GGUF or Hugging Face) written as a Hugging Face directory
/// (config.json, model.safetensors, tokenizer.json) that transformers can load.
public enum ConvertJob {
    /// Converts `model` into `directory`; returns a one-line description.
    /// - Throws: loading and writing errors naming the file.
    public static func run(model: URL, to directory: URL) throws -> String {
        let loaded = try LanguageModelLoader.load(from: model)
        try HuggingFaceWriter.save(loaded.model, tokenizer: loaded.tokenizer, to: directory)
        return "Wrote \(directory.path) (\(loaded.model.parameterCount) parameters)"
    }
}
