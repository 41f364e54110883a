import Foundation
import MLANCore
import MLANModel

/// Picks the adapter from what the path holds: a directory whose `config.json` has a `vision_config` is a
/// LLaVA model (``LlavaScorerFactory``); a `.gguf` file or any other Hugging Face directory is a Llama-family
/// language model (``LanguageModelScorerFactory``). `mlan eval` uses it.
public struct AutomaticScorerFactory: ScorerFactory {
    /// What a model path holds.
    public enum ModelKind: String, Sendable, Equatable {
        /// A Llama-family language model.
        case languageModel
        /// A LLaVA model (vision tower, projector, language model).
        case llava
    }

    /// How the language model holds its weight matrices (a LLaVA model's tower and projector stay Float32).
    public var weights: WeightForm
    /// The activations of decode-sized products with 4/8-bit frozen weights (see `ActivationPrecision`).
    public var activations: ActivationPrecision

    /// The factory, loading a language model's weights in `weights` form.
    public init(weights: WeightForm, activations: ActivationPrecision = .defaultForDecoding) {
        self.weights = weights
        self.activations = activations
    }

    /// The factory, loading weights as the checkpoint stores them (`.native`).
    public init() { self.init(weights: .native) }

    /// The kind of model at `url`.
    /// - Throws: ``ScorerError/unloadableModel`` when `config.json` of a directory is not a JSON object, or is an
    ///   original LLaVA config (`mm_vision_tower` without `vision_config`), whose tower is not in the checkpoint.
    public static func kind(of url: URL) throws -> ModelKind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .languageModel
        }
        let configURL = url.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: configURL.path) else { return .languageModel }
        let config: JSONValue
        do {
            config = try JSONValue.parse(data)
        } catch {
            throw ScorerError.unloadableModel(path: configURL.path, reason: "not valid JSON: \(InputFile.reason(for: error))")
        }
        guard case .object(let keys) = config else {
            throw ScorerError.unloadableModel(path: configURL.path, reason: "expected a JSON object")
        }
        if keys["vision_config"] != nil { return .llava }
        if keys["mm_vision_tower"] != nil {
            throw ScorerError.unloadableModel(path: configURL.path, reason:
                "an original LLaVA checkpoint (mm_vision_tower, no vision_config) ships without its CLIP tower; "
                + "load it with LlavaForConditionalGeneration.load(from:visionTower:) and wrap it in a LlavaScorer")
        }
        return .languageModel
    }

    /// The scorer of the adapter ``kind(of:)`` picks for `model`.
    /// - Throws: as ``kind(of:)`` and the chosen factory.
    public func makeScorer(model: URL, template: String?) throws -> any Scorer {
        switch try Self.kind(of: model) {
        case .languageModel: try LanguageModelScorerFactory(weights: weights, activations: activations).makeScorer(model: model, template: template)
        case .llava: try LlavaScorerFactory(weights: weights, activations: activations).makeScorer(model: model, template: template)
        }
    }
}
