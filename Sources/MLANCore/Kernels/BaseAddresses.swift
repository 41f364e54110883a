/// Base addresses for kernels that read several tensors and write several new arrays at once, instead of one
/// nested `withUnsafe…Pointer` closure per buffer.
///
/// ```swift
/// let outputs = BaseAddresses.reading([query, key]) { inputs in       // inputs[0], inputs[1]: their scalars
///     BaseAddresses.writingZeros([n, m]) { outputs in /* write n and m floats */ }
/// }                                                                   // outputs[0]: n floats, outputs[1]: m
/// ```
///
/// Reading takes each tensor's storage with `withUnsafeBufferPointer` (shared reads, no copy). Writing builds
/// each array in place with `init(unsafeUninitializedCapacity:)`, so no array is ever copied on write or
/// aliased. Every pointer is valid only inside the closure.
enum BaseAddresses {
    /// Stands in for the base address of an empty buffer; a kernel never dereferences it (it covers 0 floats).
    nonisolated(unsafe) static let empty = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    /// Calls `body` with the base address of each tensor's scalars, in order.
    @inline(__always)
    static func reading<R>(_ tensors: [Tensor], _ body: ([UnsafePointer<Float>]) throws -> R) rethrows -> R {
        var pointers: [UnsafePointer<Float>] = []
        pointers.reserveCapacity(tensors.count)
        return try reading(tensors, from: 0, into: &pointers, body)
    }

    private static func reading<R>(_ tensors: [Tensor], from index: Int, into pointers: inout [UnsafePointer<Float>],
                                   _ body: ([UnsafePointer<Float>]) throws -> R) rethrows -> R {
        guard index < tensors.count else { return try body(pointers) }
        return try tensors[index].withUnsafeBufferPointer { buffer in
            pointers.append(buffer.baseAddress ?? UnsafePointer(empty))
            return try reading(tensors, from: index + 1, into: &pointers, body)
        }
    }

    /// New arrays of `counts` floats, zero-filled, that `body` writes through their base addresses (in order).
    @inline(__always)
    static func writingZeros(_ counts: [Int], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
        var pointers: [UnsafeMutablePointer<Float>] = [], arrays: [[Float]] = []
        pointers.reserveCapacity(counts.count)
        arrays.reserveCapacity(counts.count)
        writingZeros(counts, from: 0, pointers: &pointers, arrays: &arrays, body)
        return arrays.reversed()  // the innermost array is finished first
    }

    private static func writingZeros(_ counts: [Int], from index: Int, pointers: inout [UnsafeMutablePointer<Float>],
                                     arrays: inout [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> Void) {
        guard index < counts.count else {
            body(pointers)
            return
        }
        let count = counts[index]
        let array = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress ?? empty
            if count > 0 {
                Memory.adviseHugePages(UnsafeMutableRawPointer(base), bytes: count * MemoryLayout<Float>.stride)
                base.initialize(repeating: 0, count: count)
            }
            initialized = count
            pointers.append(base)
            writingZeros(counts, from: index + 1, pointers: &pointers, arrays: &arrays, body)
        }
        arrays.append(array)
    }
}
