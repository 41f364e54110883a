import MLANCore

/// Which tokens of a CLIP hidden state become image features (LLaVA's `vision_feature_select_strategy`).
public enum VisionFeatureSelection: String, Sendable, Codable, CaseIterable {
    /// Drop the class token: the N patch tokens (`"default"`, LLaVA's `mm_vision_select_feature "patch"`).
    case patches = "default"
    /// Keep the class token: N + 1 tokens (`"full"`, LLaVA's `"cls_patch"`).
    case full

    /// Tokens per image this selection keeps from a tower of `config`.
    public func tokenCount(_ config: CLIPVisionConfig) -> Int {
        self == .patches ? config.numPatches : config.numPositions
    }
}

extension CLIPVisionModel {
    /// The index into `hiddenStates` that a LLaVA `vision_feature_layer` names: negatives count from the end
    /// (`-1` the last layer, `-2` the one before), non-negatives from the embeddings (`0`); nil when out of range.
    public func hiddenStateIndex(forFeatureLayer layer: Int) -> Int? {
        let count = config.numHiddenLayers + 1
        let index = layer < 0 ? count + layer : layer
        return (0..<count).contains(index) ? index : nil
    }

    /// LLaVA's image features of `[B, C, H, W]` pixel values: the hidden states `layers` names (HF
    /// `vision_feature_layer`; several are concatenated along the features), with the class token dropped or
    /// kept per `selection`. Runs only the encoder layers needed: for `-2`, all but the last.
    ///
    /// Returns `[B, N, D · layers.count]` (`.patches`) or `[B, N + 1, D · layers.count]` (`.full`).
    /// - Throws: `ModelError.featureLayerOutOfRange` for a layer the tower does not have,
    ///   `ModelError.emptyInput` for no layers, `ModelError.inputShape` for pixel values of another size.
    public func features(_ pixels: Tensor, layers: [Int], selection: VisionFeatureSelection) throws -> Tensor {
        guard !layers.isEmpty else { throw ModelError.emptyInput("the list of vision feature layers") }
        let indices = try layers.map { layer -> Int in
            guard let index = hiddenStateIndex(forFeatureLayer: layer) else {
                throw ModelError.featureLayerOutOfRange(layer: layer, towerLayers: config.numHiddenLayers)
            }
            return index
        }
        let states = try hiddenStates(pixels, through: indices.max())  // each [B, N + 1, D]
        let picked = indices.map { states[$0] }
        let joined = picked.count == 1 ? picked[0] : Tensor.concatenate(picked, axis: 2)  // [B, N + 1, D · L]
        switch selection {
        case .full: return joined                                                           // [B, N + 1, D · L]
        case .patches: return joined.slice(axis: 1, 1..<config.numPositions)                // [B, N, D · L]
        }
    }
}
