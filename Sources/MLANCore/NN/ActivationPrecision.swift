/// The precision of the activations that a frozen matrix's products multiply (`--activations`).
///
/// With `.q8`, a product over Q4_0, Q4_1 or Q8_0 weights with fewer than 16 input rows
/// (decode, short continuations) first rounds each input row to 8 bits per 32 values (scale `max |x| / 127`, like
/// llama.cpp's Q8_1) and multiplies in integers, about twice as fast as expanding every weight to Float32. The
/// result is the exact product with the rounded input, so it differs from `.f32` by at most
/// `Σ_blocks (max |x_block| / 254) · Σ_block |w|` per output (plus Float32 rounding). Other stored types, Float32
/// weights and larger products keep Float32 activations.
public enum ActivationPrecision: String, Sendable, CaseIterable {
    /// The activations as they are: a frozen matrix computes with the values a Float32 model holds.
    case f32
    /// Activations rounded to 8-bit blocks for decode-sized products with 4/8-bit weights (integer dot products).
    case q8

    /// What `mlan generate`, `mlan eval` and `mlan model logits` use unless told otherwise: `.f32`, exact. On
    /// SmolLM2 Q4_1, `.q8` changes the greedy continuations of 3 of the 6 reference prompts (logits by up to 2.6)
    /// while zero-shot accuracy stays within a point (Docs/BENCHMARKS.md §4b), so it is the user's choice.
    public static let defaultForDecoding = ActivationPrecision.f32
}

extension Module {
    /// Sets the activation precision of every frozen matrix in the module (`Linear`, `Embedding` heads, adapters'
    /// bases). Float32 weights are unaffected. Set it before running the model, not while a forward pass runs.
    public func setActivationPrecision(_ precision: ActivationPrecision) {
        for (_, matrix) in namedFrozenMatrices() { matrix.activations = precision }
    }
}
