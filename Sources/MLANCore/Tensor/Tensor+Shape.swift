extension Tensor {
    /// The same scalars viewed with another shape (no copy); one axis may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "Cannot reshape \(shape) to \(newShape)")
            target[inferred] = count / known
        }
        precondition(target.reduce(1, *) == count, "Cannot reshape \(shape) (\(count) scalars) to \(newShape)")
        if target == shape { return self }
        var out = self
        out = Tensor(sharing: storage, shape: target)
        let original = shape
        return out.recorded("reshape", inputs: [self]) { g in [g.reshaped(original)] }
    }

    /// A view of `storage` with `shape` and no tape entry.
    init(sharing storage: TensorStorage, shape: [Int]) {
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    /// Inserts a size-1 axis at `axis`.
    public func unsqueezed(_ axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
        return reshaped(s)
    }

    /// Reorders axes: `permuted([0, 2, 1, 3])` of `[B, T, H, D]` is `[B, H, T, D]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permuted(\(order)) is not a permutation of rank \(rank)")
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let strides = order.map { inStrides[$0] }
        let total = count
        let out = withUnsafeBufferPointer { src in
            Memory.floats(total) { dst in
                let inner = outShape[rank - 1], innerStride = strides[rank - 1]
                let rows = total / inner
                // Rows of the output in parallel; each row is a copy (a memcpy when the last axis stays last).
                Parallel.forEach(count: rows, grain: Swift.max(1, Broadcast.grain / inner)) { range in
                    var index = [Int](repeating: 0, count: rank)
                    var rest = range.lowerBound, offset = 0
                    for axis in stride(from: rank - 2, through: 0, by: -1) {
                        index[axis] = rest % outShape[axis]
                        rest /= outShape[axis]
                        offset += index[axis] * strides[axis]
                    }
                    for row in range {
                        let o = dst + row * inner
                        if innerStride == 1 {
                            o.update(from: src.baseAddress! + offset, count: inner)
                        } else {
                            var j = offset
                            for i in 0..<inner { o[i] = src[j]; j += innerStride }
                        }
                        var axis = rank - 2
                        while axis >= 0 {
                            index[axis] += 1; offset += strides[axis]
                            if index[axis] < outShape[axis] { break }
                            offset -= strides[axis] * outShape[axis]; index[axis] = 0; axis -= 1
                        }
                    }
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor(shape: outShape, scalars: out).recorded("permute", inputs: [self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a < 0 ? a + rank : a, b < 0 ? b + rank : b)
        return permuted(order)
    }

    /// Swaps the last two axes.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed() needs rank >= 2, got shape \(shape)")
        return transposed(rank - 2, rank - 1)
    }

    /// Splits the shape around `axis` into (outer, axis size, inner) scalar counts.
    func split(at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Normalises a possibly negative axis and checks it.
    func axis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "Axis \(axis) is out of range for shape \(shape)")
        return a
    }

    /// The elements `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = self.axis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "Slice \(range) is out of range for axis \(ax) of shape \(shape)")
        let (outer, size, inner) = split(at: ax)
        var outShape = shape
        outShape[ax] = range.count
        let rows = range.count * inner
        let out = withUnsafeBufferPointer { src in
            Memory.floats(outer * rows) { dst in
                Parallel.forEach(count: outer, grain: Swift.max(1, Broadcast.grain / Swift.max(rows, 1))) { blocks in
                    for o in blocks {
                        let from = src.baseAddress! + (o * size + range.lowerBound) * inner
                        (dst + o * rows).initialize(from: from, count: rows)
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor(shape: outShape, scalars: out).recorded("slice", inputs: [self]) { g in
            // Zeros outside `range`, g inside: written in place rather than concatenated from zero tensors.
            var grad = Memory.zeros(outer * size * inner)
            g.withUnsafeBufferPointer { gp in
                grad.withUnsafeMutableBufferPointer { dst in
                    for o in 0..<outer where rows > 0 {
                        (dst.baseAddress! + (o * size + range.lowerBound) * inner)
                            .update(from: gp.baseAddress! + o * rows, count: rows)
                    }
                }
            }
            return [Tensor(shape: inputShape, scalars: grad)]
        }
    }

    /// Joins tensors along an existing axis; all other axes must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
        let first = tensors[0]
        let ax = first.axis(axis)
        for t in tensors {
            precondition(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
                         "concatenate along \(ax): shape \(t.shape) does not fit \(first.shape)")
        }
        if tensors.count == 1 { return first }
        let outer = first.shape[..<ax].reduce(1, *)
        let inner = first.shape[(ax + 1)...].reduce(1, *)
        let sizes = tensors.map { $0.shape[ax] }
        var outShape = first.shape
        outShape[ax] = sizes.reduce(0, +)
        let rowWidth = outShape[ax] * inner
        // Every output scalar comes from exactly one input.
        let out = Memory.floats(outer * rowWidth) { dst in
            var column = 0
            for t in tensors {
                let width = t.shape[ax] * inner
                t.withUnsafeBufferPointer { src in
                    for o in 0..<outer where width > 0 {
                        (dst + o * rowWidth + column).initialize(from: src.baseAddress! + o * width, count: width)
                    }
                }
                column += width
            }
        }
        return Tensor(shape: outShape, scalars: out).recorded("concat", inputs: tensors) { g in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.slice(axis: ax, start..<(start + size))
            }
        }
    }

    /// Stacks same-shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack needs at least one tensor")
        return concatenate(tensors.map { $0.unsqueezed(axis) }, axis: axis)
    }

    /// Picks `indices` along `axis` (embedding lookup when `axis` is 0): `[V, D]` with `n` ids gives `[n, D]`.
    public func indexSelect(_ indices: [Int], axis: Int = 0) -> Tensor {
        let ax = self.axis(axis)
        let (outer, size, inner) = split(at: ax)
        for i in indices {
            precondition(i >= 0 && i < size, "Index \(i) is out of range for axis \(ax) of shape \(shape)")
        }
        var outShape = shape
        outShape[ax] = indices.count
        let out = withUnsafeBufferPointer { src in
            Memory.floats(outer * indices.count * inner) { dst in
                var o = 0
                for block in 0..<outer {
                    for i in indices {
                        (dst + o).initialize(from: src.baseAddress! + (block * size + i) * inner, count: inner)
                        o += inner
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor(shape: outShape, scalars: out).recorded("index_select", inputs: [self]) { g in
            var grad = Memory.zeros(outer * size * inner)
            g.withUnsafeBufferPointer { gp in
                grad.withUnsafeMutableBufferPointer { grad in
                    var o = 0
                    for block in 0..<outer {
                        for i in indices {  // in order: repeated ids accumulate in a fixed order
                            let row = grad.baseAddress! + (block * size + i) * inner, from = gp.baseAddress! + o
                            for k in 0..<inner { row[k] += from[k] }
                            o += inner
                        }
                    }
                }
            }
            return [Tensor(shape: inputShape, scalars: grad)]
        }
    }

    /// Replaces the scalars where `mask` (broadcastable; nonzero means true) is set with `value`.
    public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
        precondition(Broadcast.shape(shape, mask.shape) == shape, "Mask \(mask.shape) does not broadcast to \(shape)")
        return Broadcast.binary(self, mask) { $1 != 0 ? value : $0 }.recorded("masked_fill", inputs: [self]) { g in
            [Broadcast.binary(g, mask) { $1 != 0 ? 0 : $0 }]
        }
    }

    /// `a` where `condition` is nonzero, else `b`, with broadcasting over all three.
    public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Broadcast.shape(Broadcast.shape(condition.shape, a.shape), b.shape)
        let c = condition.expanded(to: shape), ae = a.expanded(to: shape).detached(), be = b.expanded(to: shape).detached()
        let picked = Broadcast.binary(c, ae) { $0 != 0 ? $1 : 0 }
        let out = Broadcast.binary(Broadcast.binary(c, be) { $0 != 0 ? 0 : $1 }, picked, +)
        return out.recorded("where", inputs: [a, b]) { g in
            [Broadcast.binary(g, c) { $1 != 0 ? $0 : 0 }.sum(to: a.shape),
             Broadcast.binary(g, c) { $1 != 0 ? 0 : $0 }.sum(to: b.shape)]
        }
    }

    /// This tensor broadcast to `target` (a copy with repeated scalars).
    public func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(Broadcast.shape(shape, target) == target, "Shape \(shape) does not broadcast to \(target)")
        return Broadcast.zip(self, Tensor(0), into: target, Elementwise.First()).recorded("expand", inputs: [self]) { g in
            [g.sum(to: shape)]
        }
    }
}
