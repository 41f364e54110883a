import Foundation
import MLANCore
import MLANData
import MLANModel

/// Scorers for LLaVA models in a Hugging Face directory: `config.json` (a `LlavaConfig` with `vision_config`),
/// the safetensors weights, and the language model's `tokenizer.json` (with `tokenizer_config.json` if present;
/// BOS, EOS and padding fall back to `text_config`'s ids), loaded by `MultimodalLoader` with its image
/// preprocessing.
public struct LlavaScorerFactory: ScorerFactory {
    /// How the language model holds its weight matrices (the tower and projector stay Float32).
    public var weights: WeightForm
    /// The activations of decode-sized products with 4/8-bit frozen weights (see `ActivationPrecision`).
    public var activations: ActivationPrecision

    /// The factory, loading the language model's matrices in `weights` form.
    public init(weights: WeightForm, activations: ActivationPrecision = .defaultForDecoding) {
        self.weights = weights
        self.activations = activations
    }

    /// The factory, loading the language model's matrices as the checkpoint stores them (`.native`).
    public init() { self.init(weights: .native) }

    /// A ``LlavaScorer`` for the directory `model`, identified as its name plus the template's name.
    /// - Throws: ``ScorerError/unloadableModel`` when `model` is not a LLaVA directory or `tokenizer.json` is
    ///   missing; `ModelError`/`CheckpointError`
    ///   from the strict load; `TokenizerError`; `TemplateError` for an unknown template.
    public func makeScorer(model: URL, template: String?) throws -> any Scorer {
        guard try AutomaticScorerFactory.kind(of: model) == .llava else {
            throw ScorerError.unloadableModel(path: model.path, reason:
                "not a LLaVA directory (no config.json with a vision_config); a language model takes LanguageModelScorerFactory")
        }
        let tokenizerURL = model.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: tokenizerURL.path) else {
            throw ScorerError.unloadableModel(path: model.path, reason:
                "a LLaVA directory needs its language model's tokenizer.json beside config.json; none is there")
        }
        let loaded = try MultimodalLoader.load(model: model, weights: weights)
        loaded.model.setActivationPrecision(activations)
        let tokenizer = loaded.tokenizer
        let conversation = try template.map { try BuiltinTemplates.named($0) }
        let identity = model.lastPathComponent + (conversation.map { " " + $0.name } ?? "")
        return LlavaScorer(model: loaded.model, tokenizer: tokenizer, template: conversation,
                           imageProcessor: loaded.imageProcessor, identity: identity)
    }
}
