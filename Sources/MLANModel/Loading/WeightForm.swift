import MLANCore

/// How a loaded model holds its weight matrices (`--weights`).
///
/// Every form but `f32` keeps the matrices of the decoder (projections, embeddings, head) frozen in a stored
/// type read by dequantizing kernels (`FrozenMatrix`); norms and biases stay Float32. Only `f32` gives
/// trainable Float32 parameters everywhere.
public enum WeightForm: String, Sendable, CaseIterable {
    /// As the checkpoint stores them: GGUF blocks and 16-bit matrices stay as they are (Float32 stays Float32,
    /// types without kernels are dequantized to Float32).
    case native
    /// Dequantized to Float32 trainable parameters (what training needs).
    case f32
    /// bfloat16, rounded to nearest even from the stored values.
    case bf16
    /// ggml's Q8_0 blocks (32 values, one binary16 scale), quantized from the stored values.
    case q8_0

    /// The bytes a decoder matrix of `shape` (`[rows, columns]`) stored as `stored` takes in this form: `native`
    /// keeps types with `FrozenMatrix` kernels and widens the rest to Float32.
    public func bytes(ofMatrix shape: [Int], stored: GGMLType) -> Int {
        let count = shape.reduce(1, *)
        let type: GGMLType
        switch self {
        case .f32: type = .f32
        case .bf16: type = .bf16
        case .q8_0: type = .q8_0
        case .native: type = FrozenMatrix.supports(stored) ? stored : .f32
        }
        return count / type.blockSize * type.bytesPerBlock
    }

    /// The stored type a Float32 matrix is encoded in for this form (nil: keep Float32).
    var encoding: GGMLType? {
        switch self {
        case .native, .f32: return nil
        case .bf16: return .bf16
        case .q8_0: return .q8_0
        }
    }
}
