import Foundation
import MLANCore
import MLANData

/// A LLaVA model with its tokenizer and image preprocessing, loaded or composed.
public struct LoadedMultimodalModel {
    public let model: LlavaForConditionalGeneration
    /// Llama's SentencePiece tokenizer or a byte-level BPE, as the files give it.
    public let tokenizer: any Tokenizer
    /// The image preprocessing: the directory's `preprocessor_config.json` when it has one (llava-hf: no padding),
    /// else LLaVA-1.5's at the tower's size (pad to square, bicubic, crop, CLIP normalisation).
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
    /// - Throws: as `logits(ids:images:allPositions:)`.
    public func logits(prompt: String, images: [URL], allPositions: Bool) throws -> (ids: [Int], logits: Tensor) {
        let ids = encode(prompt: prompt).ids
        return (ids, try logits(ids: ids, images: images, allPositions: allPositions))
    }

    /// Last-position (or every position's) logits of token ids that hold the image token, in either convention
    /// (one `config.imageTokenIndex` per image, or `imageSeqLength` of them as transformers' processor writes):
    /// `[V]` or `[T, V]` over the model positions (image rows included).
    /// - Throws: `ModelError.imageCountMismatch` when image tokens and images disagree, `tokenOutOfRange`,
    ///   `sequenceTooLong`, and image errors naming the file.
    public func logits(ids: [Int], images: [URL], allPositions: Bool) throws -> Tensor {
        let tokens = TokenizedExample(ids: ids, isTarget: Array(repeating: false, count: ids.count))
        let pixels = try images.map { try self.pixels($0) }
        let inputs = try withoutGradients { try model.inputs([tokens], images: [pixels]) }
        let logits = withoutGradients { model.logits(inputs) }  // [1, T, V]
        let (t, v) = (logits.shape[1], logits.shape[2])
        let all = logits.reshaped([t, v])
        return allPositions ? all : all.slice(axis: 0, (t - 1)..<t).reshaped([v])
    }
}

/// Loads a LLaVA model: a Hugging Face LLaVA directory, or a Llama-family language model (GGUF or HF
/// directory) composed with a CLIP tower (a CLIP directory, or a seeded tower of a named shape) and a fresh
/// seeded `mlp2x_gelu` projector.
public enum MultimodalLoader {
    /// The tower shapes a composition can start from without weights.
    public static let towerShapes: [String: CLIPVisionConfig] = ["vit-l14-336": .vitL14_336, "vit-b16-224": .vitB16_224,
                                                                 "tiny": .tiny]

    /// Loads or composes. `visionTower` is a CLIP directory or one of `towerShapes`' names (seeded weights);
    /// `weights` is how the language model holds its matrices (the tower and projector stay Float32).
    /// - Throws: `ModelError` / `CheckpointError` naming what does not fit.
    public static func load(model url: URL, visionTower: String? = nil, seed: UInt64 = 42,
                            weights: WeightForm = .f32) throws -> LoadedMultimodalModel {
        if isLlavaDirectory(url) {
            let llava = try LlavaForConditionalGeneration.load(from: url, weights: weights)
            let tokenizer = try TokenizerLoader.load(directory: url, config: llava.config.textConfig)
            return LoadedMultimodalModel(model: llava, tokenizer: tokenizer, imageProcessor: try processor(directory: url, llava.config))
        }
        let language = try LanguageModelLoader.load(from: url, weights: weights)
        let tower: CLIPVisionModel
        var imageProcessor: CLIPImageProcessor? = nil
        let name = visionTower ?? "vit-l14-336"
        if let shape = towerShapes[name] {
            var rng = SplitMix64(seed: seed)
            tower = CLIPVisionModel(shape, rng: &rng)
        } else {
            let directory = URL(fileURLWithPath: name)
            tower = try CLIPVisionModel.load(from: directory)
            imageProcessor = try savedProcessor(in: directory)
        }
        let llava = LlavaForConditionalGeneration(languageModel: language.model, visionTower: tower,
                                                  projectorType: .mlp2xGELU, seed: seed)
        return LoadedMultimodalModel(model: llava, tokenizer: language.tokenizer,
                                     imageProcessor: imageProcessor ?? processor(tower.config))
    }

    /// Whether `url` is a directory whose `config.json` describes a LLaVA model (it names a `vision_config`).
    public static func isLlavaDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let data = try? Data(contentsOf: url.appendingPathComponent("config.json")) else { return false }
        return String(decoding: data, as: UTF8.self).contains("\"vision_config\"")
    }

    /// A LLaVA directory's image preprocessing: its `preprocessor_config.json` (llava-hf's declares no padding),
    /// else the original repository's `image_aspect_ratio` in `config.json` (`pad`: pad to square; anything else:
    /// none), else LLaVA-1.5's pad to square at the tower's size.
    /// - Throws: `ImageError.invalidProcessorConfig` naming the file and field.
    public static func processor(directory: URL, _ config: LlavaConfig) throws -> CLIPImageProcessor {
        if let saved = try savedProcessor(in: directory) { return saved }
        var processor = processor(config.visionConfig)
        if let ratio = config.imageAspectRatio { processor.padToSquare = ratio == "pad" }
        return processor
    }

    /// The directory's `preprocessor_config.json`, nil when it has none.
    static func savedProcessor(in directory: URL) throws -> CLIPImageProcessor? {
        let preprocessor = directory.appendingPathComponent("preprocessor_config.json")
        guard FileManager.default.fileExists(atPath: preprocessor.path) else { return nil }
        return try CLIPImageProcessor.load(from: preprocessor)
    }

    static func processor(_ vision: CLIPVisionConfig) -> CLIPImageProcessor {
        vision.imageWidth == nil ? CLIPImageProcessor(shortestEdge: vision.imageSize, padToSquare: true)
            : CLIPImageProcessor(shortestEdge: vision.imageSize, cropSize: vision.imageSize, cropWidth: vision.width)
    }
}
