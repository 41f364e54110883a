extension Tensor {
    /// `rmsNorm` composed from autograd ops, to read and to test the fused kernel against:
    /// `x / sqrt(mean(x²) + eps) * weight` over the last axis. `[..., D]`, weight `[D]` -> `[..., D]`.
    func composedRMSNorm(weight: Tensor, eps: Float) -> Tensor {
        let last = rank - 1
        let meanSquare = (self * self).mean(axes: [last], keepDims: true)  // [..., 1]
        return self * (meanSquare + eps).rsqrt() * weight                   // [..., D]
    }

    /// `layerNorm` composed from autograd ops, to read and to test the fused kernel against:
    /// `(x − mean) / sqrt(var + eps) * weight + bias` over the last axis (biased variance).
    /// `[..., D]`, weight and bias `[D]` -> `[..., D]`.
    func composedLayerNorm(weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        let last = rank - 1
        let centered = self - mean(axes: [last], keepDims: true)                     // [..., D]
        let variance = (centered * centered).mean(axes: [last], keepDims: true)       // [..., 1]
        return centered * (variance + eps).rsqrt() * weight + bias                     // [..., D]
    }
}
