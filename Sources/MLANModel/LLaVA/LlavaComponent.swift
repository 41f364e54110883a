import MLANCore

/// The three parts of a LLaVA model, named by their parameter prefixes; the unit of freezing.
///
/// LLaVA's recipe: stage 1 (alignment) trains only `.projector`; stage 2 (instruction tuning) trains
/// `.projector` and `.languageModel`; `.visionTower` stays frozen in both.
public enum LlavaComponent: String, CaseIterable, Sendable {
    /// The CLIP tower, `vision_tower.*`.
    case visionTower = "vision_tower"
    /// The projector, `multi_modal_projector.*`.
    case projector = "multi_modal_projector"
    /// The decoder and its head, `language_model.*`.
    case languageModel = "language_model"

    /// The prefix of this component's parameter names (`"vision_tower."`).
    public var prefix: String { rawValue + "." }
}

extension LlavaForConditionalGeneration {
    /// Stops gradients for every parameter of `components` (optimizers skip them).
    public func freeze(_ components: [LlavaComponent]) { freeze(prefixes: components.map(\.prefix)) }

    /// Lets every parameter of `components` receive gradients again.
    public func unfreeze(_ components: [LlavaComponent]) { unfreeze(prefixes: components.map(\.prefix)) }

    /// Freezes the vision tower, as both LLaVA stages do.
    public func freezeVisionTower() { freeze([.visionTower]) }

    /// Freezes every component not in `trainable` and unfreezes those in it: `freezeAll(except: [.projector])`
    /// is stage 1.
    public func freezeAll(except trainable: Set<LlavaComponent>) {
        unfreeze(LlavaComponent.allCases.filter { trainable.contains($0) })
        freeze(LlavaComponent.allCases.filter { !trainable.contains($0) })
    }

    /// The named parameters of one component (full names, e.g. `multi_modal_projector.linear_1.weight`).
    public func parameters(of component: LlavaComponent) -> [(name: String, tensor: Tensor)] {
        namedParameters().filter { $0.name.hasPrefix(component.prefix) }
    }

    /// True when no parameter of `component` receives gradients.
    public func isFrozen(_ component: LlavaComponent) -> Bool {
        parameters(of: component).allSatisfy { !$0.tensor.requiresGrad }
    }
}
