/// The shared Float32 buffer behind one or more `Tensor` values.
///
/// Copies of a tensor share it until one of them mutates (copy-on-write); optimizers write parameters in
/// place through `Tensor.assignInPlace(_:)`, which every holder of the parameter then sees.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline var scalars: [Float]
    @usableFromInline init(_ scalars: [Float]) { self.scalars = scalars }
}

/// A dense, row-major Float32 array of any rank with value semantics and reverse-mode autograd.
///
/// A rank-0 tensor (`shape == []`) holds one scalar. Operations that need gradients record themselves on a
/// dynamic tape when gradient mode is on and an input requires a gradient; `backward()` on a scalar output
/// fills `grad` of every leaf that requires one.
public struct Tensor: @unchecked Sendable {
    /// The size of each axis, outermost first.
    public let shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The tape entry this value came from (nil for constants).
    var node: GradNode?

    /// Wraps `scalars` (row-major) in a tensor of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative axis")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.storage = TensorStorage(scalars)
        self.node = nil
    }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// A rank-1 tensor of `scalars`.
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// The scalars in row-major order.
    public var scalars: [Float] { storage.scalars }

    /// The number of scalars.
    public var count: Int { storage.scalars.count }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The single scalar of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, got shape \(shape)")
        return storage.scalars[0]
    }

    /// Reads the scalars without copying them.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.scalars.withUnsafeBufferPointer(body)
    }

    /// Overwrites the scalars of this tensor and of every copy that shares its storage (used by optimizers
    /// and checkpoint loading to update parameters where the model holds them). The shape stays.
    package func assignInPlace(_ newScalars: [Float]) {
        precondition(newScalars.count == count,
                     "assignInPlace into shape \(shape) needs \(count) scalars, got \(newScalars.count)")
        storage.scalars = newScalars
    }

    /// Mutates the shared scalars in place (see `assignInPlace(_:)`).
    package func updateInPlace(_ body: (inout [Float]) -> Void) {
        let before = count
        body(&storage.scalars)
        precondition(storage.scalars.count == before, "updateInPlace changed the scalar count of \(shape)")
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
