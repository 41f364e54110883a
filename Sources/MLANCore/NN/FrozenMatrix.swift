import CQuant
import Synchronization

/// A frozen `[rows, columns]` weight matrix kept in its stored element type (ggml blocks Q4_0, Q4_1, Q8_0, Q4_K,
/// Q5_K, Q6_K, or F16, BF16, F32), read by kernels that dequantize on the fly.
///
/// A matrix from a GGUF file, or a BF16/F16 matrix of a safetensors file, is read in place from the
/// memory-mapped file (no copy). Products run on the CQuant
/// kernels: for a few input rows (decode) each weight row is dequantized in registers and multiplied with every
/// input row; for many (prefill, scoring) tiles of rows are dequantized and multiplied with one GEMM. The
/// kernels use AVX-512, AVX2 or portable C, whichever the CPU supports (chosen at run time). Activations stay
/// Float32 unless `activations` is `.q8` (see `ActivationPrecision`).
public final class FrozenMatrix: @unchecked Sendable {
    /// The stored element type.
    public let type: GGMLType
    public let rows: Int, columns: Int
    /// Bytes of one stored row.
    public let rowBytes: Int
    let base: UnsafeRawPointer
    /// What keeps `base` valid: the mapped file, or memory this matrix owns.
    private let owner: AnyObject
    private let activationCode = Atomic<Int>(0)

    /// The precision of the activations decode-sized products multiply (default `.f32`).
    public var activations: ActivationPrecision {
        get { activationCode.load(ordering: .relaxed) == 1 ? .q8 : .f32 }
        set { activationCode.store(newValue == .q8 ? 1 : 0, ordering: .relaxed) }
    }

    /// Whether products with 8-bit activations are implemented for `type` (Q4_0, Q4_1, Q8_0).
    public static func supportsQ8Activations(_ type: GGMLType) -> Bool { cq_supports_q8(Int32(type.rawValue)) != 0 }

    /// `[rows, columns]`.
    public var shape: [Int] { [rows, columns] }
    /// The bytes the matrix occupies.
    public var byteCount: Int { rows * rowBytes }

    /// Whether products over matrices of `type` are implemented.
    public static func supports(_ type: GGMLType) -> Bool { cq_supports(Int32(type.rawValue)) != 0 }

    /// The instruction set the kernels use: AVX-512, AVX2 or portable (tests lower it to compare the paths).
    @TaskLocal package static var instructionSet: InstructionSet = .best

    /// The 8-bit-activation kernels products run on this CPU at `instructionSet`: "avx512-vnni", "avx2" or "portable".
    package static var q8KernelName: String { String(cString: cq_q8_kernel_name(instructionSet.rawValue)) }

    /// The kernel families, widest first.
    package enum InstructionSet: Int32, Sendable, CaseIterable {
        case portable = 0, avx2 = 1, avx512 = 2
        /// The widest this CPU runs.
        package static var best: InstructionSet { InstructionSet(rawValue: cq_best_isa()) ?? .portable }
    }

    private init(type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer, owner: AnyObject) {
        precondition(Self.supports(type), "FrozenMatrix: no kernels for \(type)")
        precondition(columns % type.blockSize == 0, "FrozenMatrix: \(columns) columns is not a whole number of \(type) blocks")
        self.type = type
        self.rows = rows
        self.columns = columns
        self.rowBytes = columns / type.blockSize * type.bytesPerBlock
        self.base = base
        self.owner = owner
    }

    /// The matrix `name` of a GGUF file, read in place from the mapped file. With `rowOrder`, row i of the
    /// result is stored row `rowOrder[i]` (the rows are copied; used to undo llama.cpp's Q/K permutation).
    /// - Throws: `GGUFError.tensorNotFound`, or `.unsupportedDequantization` for a type without kernels or a
    ///   tensor that is not a matrix.
    public convenience init(gguf file: GGUFFile, tensor name: String, rowOrder: [Int]? = nil) throws(GGUFError) {
        let info = try file.info(named: name)
        guard Self.supports(info.type), info.dimensions.count == 2 else {
            throw .unsupportedDequantization(path: file.path, tensor: name, type: info.type)
        }
        let (rows, columns) = (info.rowCount, info.rowLength)
        let start = file.dataOffset + info.offset
        let mapped = file.store.bytes.baseAddress! + start
        guard let rowOrder else {
            self.init(type: info.type, rows: rows, columns: columns, base: mapped, owner: file.store)
            return
        }
        precondition(rowOrder.count == rows && Set(rowOrder).count == rows && rowOrder.allSatisfy { (0..<rows).contains($0) },
                     "FrozenMatrix: rowOrder must be a permutation of 0..<\(rows)")
        let rowBytes = info.byteCount / max(rows, 1)
        let owned = OwnedBytes(count: info.byteCount)
        for (i, source) in rowOrder.enumerated() {
            (owned.pointer + i * rowBytes).copyMemory(from: mapped + source * rowBytes, byteCount: rowBytes)
        }
        self.init(type: info.type, rows: rows, columns: columns, base: UnsafeRawPointer(owned.pointer), owner: owned)
    }

    /// The 16-bit matrix `name` of a safetensors file (BF16 or F16), read in place from the mapped file, or nil
    /// when the file stores it in another type (Float32 stays a Float32 tensor) or it is not a matrix.
    /// - Throws: `SafetensorsError.tensorNotFound`.
    public convenience init?(safetensors file: SafetensorsFile, tensor name: String) throws(SafetensorsError) {
        let info = try file.info(named: name)
        let type: GGMLType
        switch info.dtype {
        case .bfloat16: type = .bf16
        case .float16: type = .f16
        default: return nil
        }
        guard info.shape.count == 2 else { return nil }
        let base = file.withBytes(of: info) { $0.baseAddress }
        guard let base else { return nil }  // an empty matrix: nothing to read in place
        self.init(type: type, rows: info.shape[0], columns: info.shape[1], base: base, owner: file.store)
    }

    /// `weight` (`[rows, columns]`) encoded as `type`: `.f16` and `.bf16` round to nearest even, `.q8_0` as
    /// ggml's `quantize_row_q8_0` (scale `max |x| / 127` per 32 values, rounded to nearest), `.f32` copied.
    public convenience init(encoding weight: Tensor, as type: GGMLType) {
        precondition(weight.rank == 2, "FrozenMatrix encodes a matrix, got \(weight.shape)")
        precondition([.f32, .f16, .bf16, .q8_0].contains(type), "FrozenMatrix encodes F32, F16, BF16 or Q8_0, not \(type)")
        let (rows, columns) = (weight.shape[0], weight.shape[1])
        precondition(columns % type.blockSize == 0, "FrozenMatrix: \(columns) columns is not a whole number of \(type) blocks")
        let owned = OwnedBytes(count: rows * columns / type.blockSize * type.bytesPerBlock)
        weight.withUnsafeBufferPointer { values in
            QuantizedEncoding.encode(values, as: type, into: owned.pointer)
        }
        self.init(type: type, rows: rows, columns: columns, base: UnsafeRawPointer(owned.pointer), owner: owned)
    }

    /// The whole matrix in Float32, `[rows, columns]`, bit for bit as `GGUFFile.tensor(named:)` dequantizes it.
    public func dequantized() -> Tensor { rows(0..<rows) }

    /// Rows `range` in Float32, `[range.count, columns]`.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "FrozenMatrix rows \(range) of \(rows)")
        let isa = Self.instructionSet.rawValue
        let scalars = Memory.floats(range.count * columns) { out in
            let address = UncheckedSendable(out)
            Parallel.forEach(count: range.count, grain: Swift.max(1, 16_384 / Swift.max(columns, 1))) { part in
                cq_dequantize_rows(isa, Int32(type.rawValue), base, rowBytes, Int32(columns),
                                   Int32(range.lowerBound + part.lowerBound), Int32(range.lowerBound + part.upperBound),
                                   address.value + part.lowerBound * columns)
            }
        }
        return Tensor(shape: [range.count, columns], scalars: scalars)
    }

    /// Rows `ids` in Float32, `[ids.count, columns]` (an embedding lookup).
    public func gather(_ ids: [Int]) -> Tensor {
        let isa = Self.instructionSet.rawValue
        let scalars = Memory.floats(ids.count * columns) { out in
            for (i, id) in ids.enumerated() {
                precondition(id >= 0 && id < rows, "FrozenMatrix.gather: row \(id) outside 0..<\(rows)")
                cq_dequantize_rows(isa, Int32(type.rawValue), base, rowBytes, Int32(columns), Int32(id), Int32(id + 1),
                                   out + i * columns)
            }
        }
        return Tensor(shape: [ids.count, columns], scalars: scalars)
    }

    /// `x Wᵀ`: `[..., columns] -> [..., rows]`. Gradients flow to `x` (the matrix itself is frozen).
    public func multiply(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 1 && x.shape.last == columns,
                     "FrozenMatrix \(shape) cannot multiply input \(x.shape)")
        let n = x.count / columns
        let scalars = x.withUnsafeBufferPointer { input in
            product(input.baseAddress ?? UnsafePointer(BaseAddresses.empty), tokens: n)
        }
        let result = Tensor(shape: Array(x.shape.dropLast()) + [rows], scalars: scalars)
        return result.recorded("frozen_matmul", inputs: [x]) { [self] g in
            [g.withUnsafeBufferPointer { Tensor(shape: x.shape, scalars: inputGradient($0.baseAddress!, tokens: n)) }]
        }
    }

    /// Input rows at or above this count go through dequantized tiles and GEMM rather than the fused kernel.
    static let tiledFrom = 16

    /// Rows a piece of a decode-sized product takes at least: two pieces a thread, so that each thread streams long
    /// runs of rows (eight pieces for two threads cost ~15 % of a decode token's products, BENCHMARKS.md §4b).
    private var decodeGrain: Int { Swift.max(16, rows / (2 * BLAS.threadCount)) }

    /// `[tokens, columns] -> [tokens, rows]`.
    private func product(_ x: UnsafePointer<Float>, tokens: Int) -> [Float] {
        let isa = Self.instructionSet.rawValue, code = Int32(type.rawValue)
        guard tokens > 0 else { return [] }
        if tokens < Self.tiledFrom && activations == .q8 && Self.supportsQ8Activations(type) {
            return productQ8(x, tokens: tokens)
        }
        if tokens < Self.tiledFrom {
            return Memory.floats(tokens * rows) { y in
                let output = UncheckedSendable(y)
                Parallel.forEach(count: rows, grain: decodeGrain) { part in
                    cq_matmul_rows(isa, code, base, rowBytes, Int32(columns), x, Int32(tokens), Int32(columns),
                                   output.value, Int32(rows), Int32(part.lowerBound), Int32(part.upperBound))
                }
            }
        }
        // Yᵀ tile by tile: Yᵀ[r0..<r1, :] = W[r0..<r1, :] · Xᵀ, then one transpose.
        let transposed = Memory.floats(rows * tokens) { yT in
            forEachTile { range, tile in
                BLAS.sgemm(transA: false, transB: true, m: range.count, n: tokens, k: columns, a: tile, b: x,
                           c: yT + range.lowerBound * tokens)
            }
        }
        return transposed.withUnsafeBufferPointer { Self.transpose($0, rows: rows, columns: tokens) }
    }

    /// `[tokens, columns] -> [tokens, rows]` with the input rounded to 8-bit blocks once, then integer dot products.
    private func productQ8(_ x: UnsafePointer<Float>, tokens: Int) -> [Float] {
        let isa = Self.instructionSet.rawValue, code = Int32(type.rawValue)
        let quantized = UnsafeMutablePointer<cq_q8_block>.allocate(capacity: tokens * columns / 32)
        defer { quantized.deallocate() }
        cq_quantize_q8(x, Int32(tokens), Int32(columns), Int32(columns), quantized)
        let input = UncheckedSendable(UnsafePointer(quantized))
        return Memory.floats(tokens * rows) { y in
            let output = UncheckedSendable(y)
            Parallel.forEach(count: rows, grain: decodeGrain) { part in
                cq_matmul_q8_rows(isa, code, base, rowBytes, Int32(columns), input.value, Int32(tokens), output.value,
                                  Int32(rows), Int32(part.lowerBound), Int32(part.upperBound))
            }
        }
    }

    /// `G W` for an output gradient `G` of `[tokens, rows]`: `[tokens, columns]`.
    private func inputGradient(_ g: UnsafePointer<Float>, tokens: Int) -> [Float] {
        let gT = Self.transpose(UnsafeBufferPointer(start: g, count: tokens * rows), rows: tokens, columns: rows)  // [rows, tokens]
        return gT.withUnsafeBufferPointer { gT in
            Memory.floats(tokens * columns) { dx in
                var first = true
                forEachTile { range, tile in
                    BLAS.sgemm(transA: true, transB: false, m: tokens, n: columns, k: range.count,
                               a: gT.baseAddress! + range.lowerBound * tokens, b: tile, beta: first ? 0 : 1, c: dx)
                    first = false
                }
            }
        }
    }

    /// Calls `body` with consecutive row ranges and their rows dequantized (`[range.count, columns]`, ≈ 4 MiB).
    ///
    /// The tiles are dequantized on the calling thread: between the GEMMs OpenBLAS's workers spin for a while,
    /// and handing the dequantization to other threads as well made them fight for the cores (6× slower prefill
    /// on two busy cores); the dequantization is a small share of a tile's GEMM.
    private func forEachTile(_ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        let isa = Self.instructionSet.rawValue, code = Int32(type.rawValue)
        let tileRows = Swift.max(8, Swift.min(rows, (1 << 20) / Swift.max(columns, 1)))
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: tileRows * columns)
        defer { tile.deallocate() }
        for start in stride(from: 0, to: rows, by: tileRows) {
            let range = start..<Swift.min(rows, start + tileRows)
            cq_dequantize_rows(isa, code, base, rowBytes, Int32(columns), Int32(range.lowerBound), Int32(range.upperBound), tile)
            body(range, UnsafePointer(tile))
        }
    }

    /// `[rows, columns] -> [columns, rows]`, in 32×32 blocks.
    private static func transpose(_ s: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> [Float] {
        Memory.floats(rows * columns) { out in
            for r0 in stride(from: 0, to: rows, by: 32) {
                for c0 in stride(from: 0, to: columns, by: 32) {
                    for r in r0..<Swift.min(rows, r0 + 32) {
                        for c in c0..<Swift.min(columns, c0 + 32) { out[c * rows + r] = s[r * columns + c] }
                    }
                }
            }
        }
    }
}

/// Memory a `FrozenMatrix` owns (64-byte aligned).
private final class OwnedBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(count: Int) { pointer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1), alignment: 64) }
    deinit { pointer.deallocate() }
}
