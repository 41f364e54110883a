import Foundation
import MLANCore
import MLANData
import MLANModel

/// Scorers for Llama-family language models (a `.gguf` file or a Hugging Face directory), rendering
/// conversation prompts with a built-in template (`v1`, `chatml`, …) or, without one, leaving conversations
/// unsupported.
public struct LanguageModelScorerFactory: ScorerFactory {
    /// How the loaded model holds its weight matrices (`.native`: as the checkpoint stores them).
    public var weights: WeightForm
    /// The activations of decode-sized products with 4/8-bit frozen weights (see `ActivationPrecision`).
    public var activations: ActivationPrecision

    /// The factory, loading weights in `weights` form.
    public init(weights: WeightForm, activations: ActivationPrecision = .defaultForDecoding) {
        self.weights = weights
        self.activations = activations
    }

    /// The factory, loading weights as the checkpoint stores them (`.native`).
    public init() { self.init(weights: .native) }

    /// A ``LanguageModelScorer`` for the model at `model`, identified as its file name plus the template's name.
    /// - Throws: `ModelError`/`CheckpointError` when the model cannot be loaded, `TemplateError` for an unknown
    ///   template.
    public func makeScorer(model: URL, template: String?) throws -> any Scorer {
        let loaded = try LanguageModelLoader.load(from: model, weights: weights)
        loaded.model.setActivationPrecision(activations)
        let conversation = try template.map { try BuiltinTemplates.named($0) }
        let identity = model.lastPathComponent + (conversation.map { " " + $0.name } ?? "")
        return LanguageModelScorer(model: loaded.model, tokenizer: loaded.tokenizer, template: conversation,
                                   identity: identity)
    }
}
