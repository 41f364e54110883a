import Foundation
import MLANCore
import MLANModel

/// One `mlan model logits` run: a prompt's input ids and logits (last position `[V]` or every position `[T, V]`)
/// written to a safetensors file, for parity checks against another implementation.
public struct LogitsJob: Sendable {
    /// A `.gguf` file, a Hugging Face Llama directory or a LLaVA directory.
    public var model: URL
    /// The prompt. With `image`: text marking the image with `<image>`, or ids holding the image token in either
    /// convention: the model's image token id (once per image, or once per image feature row as transformers'
    /// `LlavaProcessor` writes it), or LLaVA's `-200` placeholder (``llavaImagePlaceholder``).
    public var prompt: PromptInput
    /// Keep every position's logits instead of the last.
    public var allPositions = false
    /// An image for a LLaVA model (or a language model composed with `visionTower`).
    public var image: URL?
    /// With `image` and a language model: a CLIP directory or a named seeded tower.
    public var visionTower: String?
    /// How the language model holds its weight matrices (`--weights`; `.native` keeps a GGUF's blocks and 16-bit
    /// safetensors in 16 bits).
    public var weights = WeightForm.native
    /// The activations of decode-sized products with 4/8-bit frozen weights (`--activations`, see
    /// `ActivationPrecision`).
    public var activations = ActivationPrecision.defaultForDecoding
    /// The safetensors file to write (atomically).
    public var output: URL

    /// A job writing the last position's logits of `prompt` under `model` to `output`.
    public init(model: URL, prompt: PromptInput, output: URL) {
        self.model = model
        self.prompt = prompt
        self.output = output
    }

    /// The image placeholder id of the original LLaVA repository (`IMAGE_TOKEN_INDEX`), accepted in `--ids`.
    public static let llavaImagePlaceholder = -200

    /// Runs the model and writes `input_ids` and `logits`; returns a one-line description of what was written.
    /// - Throws: model, image and file errors, each naming what failed.
    public func run() throws -> String {
        let ids: [Int], logits: Tensor
        var metadata = ["model": model.path]
        if let image {
            let loaded = try MultimodalLoader.load(model: model, visionTower: visionTower, weights: weights)
            loaded.model.setActivationPrecision(activations)
            if case .ids(let given) = prompt {
                let imageToken = loaded.model.config.imageTokenIndex
                ids = given.map { $0 == Self.llavaImagePlaceholder ? imageToken : $0 }
                guard ids.contains(imageToken) else {
                    throw ExperimentError.invalidSetting(field: "--ids", reason: "with --image the ids must hold the image "
                        + "token \(imageToken) (or LLaVA's \(Self.llavaImagePlaceholder))")
                }
                logits = try loaded.logits(ids: ids, images: [image], allPositions: allPositions)
            } else {
                guard let text = try prompt.renderedText() else {
                    throw ExperimentError.invalidSetting(field: "--image", reason: "needs a prompt marking the image with <image>")
                }
                (ids, logits) = try loaded.logits(prompt: text, images: [image], allPositions: allPositions)
            }
            metadata["image"] = image.path
        } else {
            let loaded = try LanguageModelLoader.load(from: model, weights: weights)
            loaded.model.setActivationPrecision(activations)
            ids = try prompt.ids(tokenizer: loaded.tokenizer)
            guard !ids.isEmpty else { throw ExperimentError.invalidSetting(field: "prompt", reason: "encodes to no tokens") }
            let all = withoutGradients { loaded.model.logits(ids: [ids]) }  // [1, T, V]
            let (t, v) = (all.shape[1], all.shape[2])
            logits = allPositions ? all.reshaped([t, v]) : all.reshaped([t, v]).slice(axis: 0, (t - 1)..<t).reshaped([v])
        }
        try SafetensorsWriter.write(["input_ids": .int64(shape: [ids.count], values: ids), "logits": .float32(logits)],
                                    metadata: metadata, to: output)
        return "Wrote \(output.path): input_ids [\(ids.count)], logits \(logits.shape)"
    }
}
