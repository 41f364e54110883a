/// Failures building, loading or running a model.
public enum ModelError: Error, CustomStringConvertible {
    /// A config file or metadata block is missing a field or holds a wrong value.
    case invalidConfig(path: String, reason: String)
    /// A config field holds a value that changes the computation in a way MLAN does not implement
    /// (`rope_scaling`, `mlp_bias: true`, a sliding window, an unknown `hidden_act`, …).
    case unsupportedConfig(path: String, field: String, value: String)
    /// A checkpoint cannot be used for this model.
    case checkpoint(path: String, reason: String)
    /// The number of `<image>` placeholders differs from the number of images given.
    case imageCountMismatch(placeholders: Int, images: Int)
    /// A token id is outside the vocabulary.
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    /// The input is longer than the model or cache allows.
    case sequenceTooLong(length: Int, limit: Int)
    /// An input that must not be empty is (a prompt, a context, a continuation, a batch).
    case emptyInput(String)
    /// An input tensor has another shape than the model takes.
    case inputShape(what: String, shape: [Int], expected: [Int])
    /// A vision feature layer the tower does not have (`vision_feature_layer`).
    case featureLayerOutOfRange(layer: Int, towerLayers: Int)
    /// A setting (a flag or an argument) outside the range it must lie in.
    case invalidSetting(name: String, value: String, reason: String)
    /// Nothing at a path MLAN can load as a model.
    case unrecognizedModel(path: String)

    public var description: String {
        switch self {
        case .invalidConfig(let path, let reason): "\(path): invalid model config: \(reason)"
        case .unsupportedConfig(let path, let field, let value):
            "\(path): \(field) = \(value) is not implemented by MLAN (it would change the computation)"
        case .checkpoint(let path, let reason): "\(path): \(reason)"
        case .imageCountMismatch(let p, let i): "The prompt has \(p) image placeholder(s) but \(i) image(s) were given"
        case .tokenOutOfRange(let id, let size): "Token id \(id) is outside the vocabulary of \(size)"
        case .sequenceTooLong(let length, let limit): "Sequence of \(length) tokens exceeds the limit of \(limit)"
        case .emptyInput(let what): "\(what) is empty"
        case .inputShape(let what, let shape, let expected): "\(what) is \(shape) but the model takes \(expected)"
        case .featureLayerOutOfRange(let layer, let count):
            "vision feature layer \(layer) does not exist in a \(count)-layer tower (valid: \(-(count + 1)) ... \(count))"
        case .invalidSetting(let name, let value, let reason): "\(name) = \(value): \(reason)"
        case .unrecognizedModel(let path): "\(path): not a GGUF file or a Hugging Face model directory"
        }
    }

    /// This error with `path` filled in where the decoder that threw it did not know the file, and `prefix`
    /// (e.g. `text_config.`) before the field of an unsupported value.
    func located(at path: String, fieldPrefix prefix: String = "") -> ModelError {
        switch self {
        case .unsupportedConfig(let old, let field, let value):
            .unsupportedConfig(path: old.isEmpty ? path : old, field: prefix + field, value: value)
        case .invalidConfig(let old, let reason): .invalidConfig(path: old.isEmpty ? path : old, reason: reason)
        default: self
        }
    }
}
