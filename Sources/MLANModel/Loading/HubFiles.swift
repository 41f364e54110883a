import Foundation
import MLANCore
import MLANData

/// The files Hugging Face's tools read beside the weights: the tokenizer (`tokenizer.json`,
/// `tokenizer_config.json` with the special tokens and the chat template, `special_tokens_map.json`),
/// `generation_config.json`, and for LLaVA the processor (`preprocessor_config.json`, `processor_config.json`,
/// `chat_template.json`). Each file is written atomically.
public enum HubFiles {
    /// Throws unless `tokenizer` can be written as a `tokenizer.json`: byte-level BPE always, Llama's SentencePiece
    /// tokenizer unless its normalizer has a step the format cannot express (`remove_extra_whitespaces`). Call it
    /// before long work whose result is saved with the tokenizer.
    /// - Throws: `CheckpointError.unreadable` naming `path`.
    public static func checkWritable(_ tokenizer: any Tokenizer, path: String) throws {
        switch tokenizer {
        case is BPETokenizer:
            return
        case let llama as LlamaTokenizer:
            do { _ = try llama.jsonNormalization(file: path) } catch {
                throw CheckpointError.unreadable(path: path, reason: "cannot save the tokenizer: \(error)")
            }
        default:
            throw CheckpointError.unreadable(path: path, reason: "MLAN writes byte-level BPE and Llama (SentencePiece) "
                + "tokenizers; \(type(of: tokenizer)) cannot be saved as tokenizer.json")
        }
    }

    /// Writes `tokenizer.json`, `tokenizer_config.json` and `special_tokens_map.json` into `directory`.
    ///
    /// The config names the BOS, EOS, padding and unknown tokens the tokenizer has (lm-evaluation-harness takes
    /// its prefix token from them), every added token, `chat_template` when given, and `model_max_length`.
    /// - Throws: `CheckpointError.unreadable` for a tokenizer MLAN cannot write; write errors naming the file.
    public static func writeTokenizer(_ tokenizer: any Tokenizer, chatTemplate: String?, modelMaxLength: Int,
                                      processorClass: String? = nil, to directory: URL) throws {
        try checkWritable(tokenizer, path: directory.path)
        let file = directory.appendingPathComponent("tokenizer.json")
        let unknownID: Int?, postProcessor: PostProcessor, addedTokens: [AddedToken]
        switch tokenizer {
        case let bpe as BPETokenizer:
            try bpe.write(to: file)
            (unknownID, postProcessor, addedTokens) = (bpe.unknownTokenID, bpe.postProcessor, bpe.addedTokens)
        case let llama as LlamaTokenizer:
            try llama.write(to: file)
            (unknownID, postProcessor, addedTokens) = (llama.unknownTokenID, llama.postProcessor, llama.jsonAddedTokens)
        default:
            return  // checkWritable threw
        }
        let specials = specialTokens(tokenizer, unknownID: unknownID)
        var config: [String: JSONValue] = specials.mapValues { .string($0) }
        config["tokenizer_class"] = "PreTrainedTokenizerFast"
        config["model_max_length"] = .int(modelMaxLength)
        config["clean_up_tokenization_spaces"] = false
        config["add_bos_token"] = .bool(tokenizer.bosTokenID != nil && postProcessor.prefix.first == tokenizer.bosTokenID)
        config["add_eos_token"] = .bool(tokenizer.eosTokenID != nil && postProcessor.suffix.last == tokenizer.eosTokenID)
        var decoder: [String: JSONValue] = [:]
        for token in addedTokens {
            decoder[String(token.id)] = [
                "content": .string(token.content), "lstrip": .bool(token.lstrip), "rstrip": .bool(token.rstrip),
                "normalized": .bool(token.normalized), "single_word": .bool(token.singleWord), "special": .bool(token.special),
            ]
        }
        config["added_tokens_decoder"] = .object(decoder)
        if let chatTemplate { config["chat_template"] = .string(chatTemplate) }
        if let processorClass { config["processor_class"] = .string(processorClass) }
        try writeJSON(.object(config), to: directory.appendingPathComponent("tokenizer_config.json"))
        let map = specials.mapValues { content -> JSONValue in
            ["content": .string(content), "lstrip": false, "rstrip": false, "normalized": false, "single_word": false]
        }
        try writeJSON(.object(map), to: directory.appendingPathComponent("special_tokens_map.json"))
    }

    /// `bos_token`, `eos_token`, `pad_token`, `unk_token` → their text, for the ones the tokenizer has.
    static func specialTokens(_ tokenizer: any Tokenizer, unknownID: Int?) -> [String: String] {
        let ids = ["bos_token": tokenizer.bosTokenID, "eos_token": tokenizer.eosTokenID,
                   "pad_token": tokenizer.padTokenID, "unk_token": unknownID]
        return ids.compactMapValues { id in id.flatMap { tokenizer.token($0) } }
    }

    /// Writes `generation_config.json` with the BOS, EOS and padding ids (greedy decoding by default, as
    /// transformers' own default).
    /// - Throws: write errors naming the file.
    public static func writeGenerationConfig(bos: Int?, eos: Int?, pad: Int?, to directory: URL) throws {
        var config: [String: JSONValue] = ["_from_model_config": true]
        if let bos { config["bos_token_id"] = .int(bos) }
        if let eos { config["eos_token_id"] = .int(eos) }
        if let pad { config["pad_token_id"] = .int(pad) }
        try writeJSON(.object(config), to: directory.appendingPathComponent("generation_config.json"))
    }

    /// Writes a LLaVA processor: `preprocessor_config.json` (`imageProcessor`), `processor_config.json` (the
    /// `<image>` token, expanded to `config.imageSeqLength` tokens by transformers' `LlavaProcessor`) and, when
    /// given, `chat_template.json`.
    /// - Throws: write errors naming the file.
    public static func writeProcessor(_ imageProcessor: CLIPImageProcessor, config: LlavaConfig, chatTemplate: String?,
                                      to directory: URL) throws {
        try writeJSON(imageProcessor.preprocessorConfig, to: directory.appendingPathComponent("preprocessor_config.json"))
        let vision = config.visionConfig
        let processor: JSONValue = [
            "processor_class": "LlavaProcessor", "image_token": .string(ImageMarker.text),
            "patch_size": .int(vision.patchSize), "num_additional_image_tokens": 1,  // the class token
            "vision_feature_select_strategy": .string(config.visionFeatureSelectStrategy.rawValue),
        ]
        try writeJSON(processor, to: directory.appendingPathComponent("processor_config.json"))
        if let chatTemplate {
            try writeJSON(["chat_template": .string(chatTemplate)], to: directory.appendingPathComponent("chat_template.json"))
        }
    }

    static func writeJSON(_ value: JSONValue, to url: URL) throws {
        try AtomicFile.write(try value.jsonBytes(pretty: true) + [0x0A], to: url)
    }
}
