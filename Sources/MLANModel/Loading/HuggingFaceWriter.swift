import Foundation
import MLANCore
import MLANData

/// Writes models in the Hugging Face layout that `transformers` and lm-evaluation-harness load: `config.json`,
/// `model.safetensors`, and with a tokenizer the files `HubFiles` writes (`tokenizer.json`,
/// `tokenizer_config.json` with the special tokens and chat template, `special_tokens_map.json`,
/// `generation_config.json`). The directory appears whole or not at all (written beside it, then renamed).
public enum HuggingFaceWriter {
    /// Saves `model` (and `tokenizer`, with `chatTemplate` in its config) to `directory`, replacing what is there.
    /// - Throws: `CheckpointError.unreadable` naming the path when a file cannot be written or the tokenizer is
    ///   one MLAN cannot write.
    public static func save(_ model: LlamaForCausalLM, tokenizer: (any Tokenizer)?, chatTemplate: String? = nil,
                            to directory: URL) throws {
        if let tokenizer { try HubFiles.checkWritable(tokenizer, path: directory.path) }
        try writeDirectory(directory) { staging in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(model.config).write(to: staging.appendingPathComponent("config.json"))
            try SafetensorsWriter.write(stateDictionary(model), metadata: ["format": "pt"],
                                        to: staging.appendingPathComponent("model.safetensors"))
            guard let tokenizer else { return }
            let config = model.config
            try HubFiles.writeTokenizer(tokenizer, chatTemplate: chatTemplate, modelMaxLength: config.maxPositionEmbeddings,
                                        to: staging)
            try HubFiles.writeGenerationConfig(bos: tokenizer.bosTokenID ?? config.bosTokenID,
                                               eos: tokenizer.eosTokenID ?? config.eosTokenID,
                                               pad: tokenizer.padTokenID ?? config.padTokenID, to: staging)
        }
    }

    /// Every parameter as an F32 safetensors entry (a tied head is not written, as transformers saves it).
    public static func stateDictionary(_ module: some Module) -> [String: SafetensorsEntry] {
        Dictionary(module.namedParameters().map { ($0.name, SafetensorsEntry.float32($0.tensor.detached())) },
                   uniquingKeysWith: { first, _ in first })
    }

    /// Runs `fill` on a staging folder beside `directory`, then swaps it into place.
    public static func writeDirectory(_ directory: URL, _ fill: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let staging = directory.deletingLastPathComponent()
            .appendingPathComponent(".\(directory.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            try fill(staging)
            if fm.fileExists(atPath: directory.path) { try fm.removeItem(at: directory) }
            try fm.moveItem(at: staging, to: directory)
        } catch {
            try? fm.removeItem(at: staging)
            throw CheckpointError.unreadable(path: directory.path, reason: "cannot write: \(InputFile.reason(for: error))")
        }
    }
}
