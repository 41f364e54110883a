import Foundation
import MLANCore
import MLANModel

/// One `mlan generate` run: load a language model (or a LLaVA model, or a language model composed with a vision
/// tower when an image is given), continue the prompt, and stream the new text.
public struct GenerateJob: Sendable {
    /// A `.gguf` file, a Hugging Face Llama directory or a LLaVA directory.
    public var model: URL
    /// The prompt.
    public var prompt: PromptInput
    /// The most new tokens.
    public var maxNewTokens = 64
    /// Greedy (temperature 0) or seeded sampling.
    public var sampler = Sampler.greedy
    /// An image the prompt asks about (its place is `<image>`, put first when the prompt has none).
    public var image: URL?
    /// With `image` and a language model: a CLIP directory or a named seeded tower (`MultimodalLoader`).
    public var visionTower: String?
    /// Seeds a composed tower and projector.
    public var seed: UInt64 = 0
    /// How a language model holds its weight matrices (`--weights`; `.native` keeps a GGUF's blocks).
    public var weights = WeightForm.native
    /// The activations of decode-sized products with 4/8-bit frozen weights (`--activations`, see
    /// `ActivationPrecision`).
    public var activations = ActivationPrecision.defaultForDecoding

    /// A job continuing `prompt` with `model`, greedily, up to 64 new tokens.
    public init(model: URL, prompt: PromptInput) {
        self.model = model
        self.prompt = prompt
    }

    /// What a run produced.
    public struct Outcome: Sendable {
        /// The new token ids.
        public var ids: [Int]
        /// The prompt's length in tokens (nil for image prompts, whose length includes the image's patches).
        public var promptTokens: Int?
        /// Seconds loading and generating.
        public var loadSeconds: Double, generateSeconds: Double
        /// Why generation stopped.
        public var stopReason: String

        /// `[12 prompt + 30 new tokens in 0.40 s (75.0 tok/s), load 0.20 s, stop: eos]`.
        public var summary: String {
            let rate = Double(ids.count) / max(generateSeconds, 1e-9)
            return String(format: "[%@%d new tokens in %.2f s (%.1f tok/s), load %.2f s, stop: %@]",
                          promptTokens.map { "\($0) prompt + " } ?? "", ids.count, generateSeconds, rate, loadSeconds,
                          stopReason)
        }
    }

    /// Generates, passing each new piece of text to `onText` as it is decoded.
    /// - Throws: model loading, template, image and length errors, each naming what failed.
    public func run(onText: @escaping (String) -> Void) throws -> Outcome {
        let started = Date()
        if let image {
            guard let text = try prompt.renderedText(imageFirst: true) else {
                throw ExperimentError.invalidSetting(field: "--image", reason: "needs a text prompt, not token ids")
            }
            let loaded = try MultimodalLoader.load(model: model, visionTower: visionTower, seed: seed, weights: weights)
            loaded.model.setActivationPrecision(activations)
            let loadSeconds = Date().timeIntervalSince(started)
            let began = Date()
            let result = try loaded.generate(prompt: text, images: [image], maxNewTokens: maxNewTokens, sampler: sampler,
                                             onText: onText)
            return Outcome(ids: result.ids, promptTokens: nil, loadSeconds: loadSeconds,
                           generateSeconds: Date().timeIntervalSince(began), stopReason: result.stopReason.rawValue)
        }
        let loaded = try LanguageModelLoader.load(from: model, weights: weights)
        loaded.model.setActivationPrecision(activations)
        let ids = try prompt.ids(tokenizer: loaded.tokenizer)
        guard !ids.isEmpty else { throw ExperimentError.invalidSetting(field: "prompt", reason: "encodes to no tokens") }
        let loadSeconds = Date().timeIntervalSince(started)
        let began = Date()
        let result = try Generator(model: loaded.model, tokenizer: loaded.tokenizer)
            .generate(promptIDs: ids, maxNewTokens: maxNewTokens, sampler: sampler, onText: onText)
        return Outcome(ids: result.ids, promptTokens: ids.count, loadSeconds: loadSeconds,
                       generateSeconds: Date().timeIntervalSince(began), stopReason: result.stopReason.rawValue)
    }
}
