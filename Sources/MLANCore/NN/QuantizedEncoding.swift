/// Float32 to the stored types a `FrozenMatrix` can be encoded in, with ggml's rounding.
enum QuantizedEncoding {
    /// Writes `values` (a whole number of `type` blocks) as `type` (F32, F16, BF16 or Q8_0) to `output`.
    static func encode(_ values: UnsafeBufferPointer<Float>, as type: GGMLType, into output: UnsafeMutableRawPointer) {
        switch type {
        case .f32:
            if let source = values.baseAddress { output.copyMemory(from: source, byteCount: values.count * 4) }
        case .f16:
            for (i, x) in values.enumerated() { output.storeBytes(of: Float16(x).bitPattern, toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16:
            for (i, x) in values.enumerated() { output.storeBytes(of: bfloat16Bits(x), toByteOffset: 2 * i, as: UInt16.self) }
        case .q8_0:
            for block in 0..<(values.count / 32) {
                let x = values[(32 * block)..<(32 * block + 32)]
                let amax = x.reduce(Float(0)) { Swift.max($0, abs($1)) }
                let d = amax / 127
                let inverse: Float = d != 0 ? 1 / d : 0
                let out = output + 34 * block
                out.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
                for (j, value) in x.enumerated() {
                    out.storeBytes(of: Int8((value * inverse).rounded()), toByteOffset: 2 + j, as: Int8.self)
                }
            }
        default:
            preconditionFailure("QuantizedEncoding cannot encode \(type)")
        }
    }

    /// bfloat16 bits of `x`, rounded to nearest even (NaN stays a quiet NaN), as ggml's `GGML_FP32_TO_BF16`.
    static func bfloat16Bits(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: (u >> 16) | 64) }
        return UInt16(truncatingIfNeeded: (u &+ (0x7FFF &+ ((u >> 16) & 1))) >> 16)
    }
}
