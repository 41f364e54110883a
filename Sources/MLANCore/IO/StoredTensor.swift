/// A tensor exactly as a file stores it: element type, shape and little-endian bytes, before any conversion.
///
/// Checkpoints ship BF16 or F16 weights; `float32()` upcasts them exactly, while `bytes` keeps the stored
/// 16-bit values for code that computes in that precision.
public struct StoredTensor: Sendable, Equatable {
    /// The stored element type.
    public let dtype: SafetensorsDType
    /// The shape, outermost axis first.
    public let shape: [Int]
    /// `shape.product * dtype.byteCount` little-endian bytes.
    public let bytes: [UInt8]

    /// A stored tensor; `bytes` must hold exactly the elements of `shape` in `dtype`.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteCount,
                     "\(shape) \(dtype) needs \(shape.reduce(1, *) * dtype.byteCount) bytes, got \(bytes.count)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// The F32 bytes of `tensor`.
    public init(float32 tensor: Tensor) {
        let scalars = tensor.scalars
        self.init(dtype: .float32, shape: tensor.shape, bytes: scalars.withUnsafeBytes { Array($0) })
    }

    /// The values as Float32: F32 copied, F16 and BF16 exactly, F64 rounded to nearest.
    /// - Throws: `SafetensorsError.unsupportedConversion` for integer and 8-bit float types.
    public func float32(name: String = "tensor", path: String = "<memory>") throws(SafetensorsError) -> Tensor {
        guard dtype.isFloatingPoint else {
            throw .unsupportedConversion(path: path, tensor: name, dtype: dtype, requested: "Float32")
        }
        let count = shape.reduce(1, *)
        let scalars = bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                if let output = buffer.baseAddress {
                    SafetensorsFile.convertToFloat(raw, dtype: dtype, count: count, into: output)
                }
                initialized = count
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}

extension SafetensorsFile {
    /// Tensor `name` as stored (its dtype, shape and bytes), without conversion.
    /// - Throws: `SafetensorsError.tensorNotFound`.
    public func storedTensor(named name: String) throws(SafetensorsError) -> StoredTensor {
        let info = try info(named: name)
        return withBytes(of: info) { StoredTensor(dtype: info.dtype, shape: info.shape, bytes: Array($0)) }
    }
}
