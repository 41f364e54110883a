import Foundation
import MLANCore
import MLANData

/// A LLaVA model with its tokenizer and image preprocessing, loaded or composed.
public struct LoadedMultimodalModel {
    public let model: LlavaForConditionalGeneration
    public let tokenizer: BPETokenizer
    /// LLaVA-1.5's preprocessing at the tower's size (pad to square, bicubic, crop, CLIP normalisation).
    public let imageProcessor: CLIPImageProcessor

    /// Pixel values of a PNG or JPEG file (recognised by content).
    /// - Throws: `ImageError` naming the file.
    public func pixels(_ url: URL) throws -> PixelValues {
        imageProcessor(try ImageDecoder.decode(contentsOf: url))
    }

    /// The token ids of a prompt in which each `<image>` becomes the image token.
    public func encode(prompt: String) -> TokenizedExample {
        let addBOS = tokenizer.bosTokenID != nil && tokenizer.encode("", addSpecialTokens: true).first == tokenizer.bosTokenID
        let ids = tokenizer.encode(prompt: prompt, imagePlaceholder: model.config.imageTokenIndex, addBOS: addBOS)
        return TokenizedExample(ids: ids, isTarget: Array(repeating: false, count: ids.count))
    }

    /// Continues `prompt` (with one `<image>` per image) after splicing the images' features in.
    /// - Throws: `ModelError.imageCountMismatch` when placeholders and images disagree, image errors, and as
    ///   `Generator.generate(promptEmbeddings:…)` (e.g. a prompt longer than the context).
    public func generate(prompt: String, images: [URL], maxNewTokens: Int, sampler: Sampler = .greedy,
                         onText: ((String) -> Void)? = nil) throws -> GenerationResult {
        let pixels = try images.map { try self.pixels($0) }
        let inputs = try withoutGradients { try model.inputs([encode(prompt: prompt)], images: [pixels]) }
        return try Generator(model: model.languageModel, tokenizer: tokenizer)
            .generate(promptEmbeddings: inputs.embeddings, maxNewTokens: maxNewTokens, sampler: sampler, onText: onText)
    }

    /// Last-position (or every position's) logits of `prompt` with its images: `[V]` or `[T, V]`.
    public func logits(prompt: String, images: [URL], allPositions: Bool) throws -> (ids: [Int], logits: Tensor) {
        let tokens = encode(prompt: prompt)
        let pixels = try images.map { try self.pixels($0) }
        let inputs = try withoutGradients { try model.inputs([tokens], images: [pixels]) }
        let logits = withoutGradients { model.logits(inputs) }  // [1, T, V]
        let (t, v) = (logits.shape[1], logits.shape[2])
        let all = logits.reshaped([t, v])
        return (tokens.ids, allPositions ? all : all.slice(axis: 0, (t - 1)..<t).reshaped([v]))
    }
}

/// Loads a LLaVA model: a Hugging Face LLaVA directory, or a Llama-family language model (GGUF or HF
/// directory) composed with a CLIP tower (a CLIP directory, or a seeded tower of a named shape) and a fresh
/// seeded `mlp2x_gelu` projector.
public enum MultimodalLoader {
    /// The tower shapes a composition can start from without weights.
    public static let towerShapes: [String: CLIPVisionConfig] = ["vit-l14-336": .vitL14_336, "vit-b16-224": .vitB16_224,
                                                                 "tiny": .tiny]

    /// Loads or composes. `visionTower` is a CLIP directory or one of `towerShapes`' names (seeded weights).
    /// - Throws: `ModelError` / `CheckpointError` naming what does not fit.
    public static func load(model url: URL, visionTower: String? = nil, seed: UInt64 = 42) throws -> LoadedMultimodalModel {
        var isDirectory: ObjCBool = false
        let configURL = url.appendingPathComponent("config.json")
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue,
           let data = try? Data(contentsOf: configURL), String(decoding: data, as: UTF8.self).contains("\"vision_config\"") {
            let llava = try LlavaForConditionalGeneration.load(from: url)
            var tokenizer = try BPETokenizer.load(from: url.appendingPathComponent("tokenizer.json"))
            tokenizer.eosTokenID = tokenizer.eosTokenID ?? llava.config.textConfig.eosTokenID
            return LoadedMultimodalModel(model: llava, tokenizer: tokenizer, imageProcessor: processor(llava.config.visionConfig))
        }
        let language = try LanguageModelLoader.load(from: url)
        let tower: CLIPVisionModel
        let name = visionTower ?? "vit-l14-336"
        if let shape = towerShapes[name] {
            var rng = SplitMix64(seed: seed)
            tower = CLIPVisionModel(shape, rng: &rng)
        } else {
            tower = try CLIPVisionModel.load(from: URL(fileURLWithPath: name))
        }
        let llava = LlavaForConditionalGeneration(languageModel: language.model, visionTower: tower,
                                                  projectorType: .mlp2xGELU, seed: seed)
        return LoadedMultimodalModel(model: llava, tokenizer: language.tokenizer, imageProcessor: processor(tower.config))
    }

    static func processor(_ vision: CLIPVisionConfig) -> CLIPImageProcessor {
        vision.imageWidth == nil ? CLIPImageProcessor(shortestEdge: vision.imageSize, padToSquare: true)
            : CLIPImageProcessor(shortestEdge: vision.imageSize, cropSize: vision.imageSize, cropWidth: vision.width)
    }
}
