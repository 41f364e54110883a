extension Tensor {
    /// True when gradients flow back to this value (a leaf that requires them, or a recorded result).
    public var requiresGrad: Bool { node?.requiresGrad ?? false }

    /// A leaf copy of this value that accumulates a gradient in `grad` when `backward()` reaches it.
    public func requiringGradient() -> Tensor {
        var leaf = self
        leaf.node = GradNode(op: "leaf", inputs: [], backward: nil, isLeaf: true)
        return leaf
    }

    /// The same values cut off from the tape: nothing flows back through the result.
    public func detached() -> Tensor {
        var copy = self
        copy.node = nil
        return copy
    }

    /// The gradient accumulated into this leaf by `backward()` calls, if any.
    public var grad: Tensor? { node?.grad }

    /// Clears the accumulated gradient of this leaf.
    public func zeroGrad() { node?.grad = nil }

    /// Replaces the accumulated gradient of this leaf (shaped like it; nil clears it), e.g. with the sum of
    /// several processes' gradients.
    public func setGrad(_ gradient: Tensor?) {
        precondition(node?.isLeaf ?? false, "setGrad needs a leaf made by requiringGradient()")
        if let gradient { precondition(gradient.shape == shape, "gradient \(gradient.shape) for a leaf of \(shape)") }
        node?.grad = gradient?.detached()
    }

    /// Turns gradient accumulation of this leaf on or off (off: a frozen parameter).
    public func setRequiresGrad(_ value: Bool) {
        precondition(node?.isLeaf ?? false, "setRequiresGrad needs a leaf made by requiringGradient()")
        node?.requiresGrad = value
    }

    /// Records `self` as the result of `op` on `inputs`, with `backward` mapping the output gradient to one
    /// gradient per input (nil where an input needs none). A no-op when grad mode is off or no input needs a
    /// gradient.
    func recorded(_ op: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled else { return self }
        let parents = inputs.map { $0.requiresGrad ? $0.node : nil }
        guard parents.contains(where: { $0 != nil }) else { return self }
        var out = self
        out.node = GradNode(op: op, inputs: parents, backward: backward, isLeaf: false)
        return out
    }

    /// Back-propagates from this scalar: adds d(self)/d(leaf) to `grad` of every leaf that requires one.
    ///
    /// Runs the tape's nodes from newest to oldest without recursion, then releases the graph.
    public func backward() {
        precondition(count == 1, "backward() needs a scalar output, got shape \(shape)")
        backward(seed: Tensor(shape: shape, scalars: [1]))
    }

    /// Back-propagates `seed` (shaped like `self`) as the gradient of this value.
    public func backward(seed: Tensor) {
        backward(seed: seed, watching: [], whenReady: { _ in })
    }

    /// Back-propagates from this scalar like `backward()`, and calls `ready(i)` once for each `leaves[i]` as soon
    /// as its gradient from this pass is final (accumulated into `grad`), while the rest of the pass still runs;
    /// leaves the pass does not reach are reported when it ends. Data-parallel training starts reducing a
    /// bucket of gradients across processes when its last parameter is reported.
    public func backward(watching leaves: [Tensor], whenReady ready: (Int) -> Void) {
        precondition(count == 1, "backward() needs a scalar output, got shape \(shape)")
        backward(seed: Tensor(shape: shape, scalars: [1]), watching: leaves, whenReady: ready)
    }

    private func backward(seed: Tensor, watching leaves: [Tensor], whenReady ready: (Int) -> Void) {
        precondition(seed.shape == shape, "backward seed shape \(seed.shape) differs from \(shape)")
        var watched: [ObjectIdentifier: Int] = [:]
        for (i, leaf) in leaves.enumerated() {
            if let node = leaf.node, node.isLeaf { watched[ObjectIdentifier(node)] = i }
        }
        var reported = Set<Int>()
        defer {
            for (i, leaf) in leaves.enumerated() where leaf.node?.isLeaf ?? false && !reported.contains(i) { ready(i) }
        }
        guard let root = node else { return }
        // Collect every node reachable from the root (iterative depth-first walk), counting the edges into each
        // watched leaf: its gradient is final once that many consumers have been processed.
        var seen = Set<ObjectIdentifier>([ObjectIdentifier(root)])
        var stack = [root], order: [GradNode] = []
        var pending: [ObjectIdentifier: Int] = [:]
        while let current = stack.popLast() {
            order.append(current)
            for case let parent? in current.inputs {
                let key = ObjectIdentifier(parent)
                if watched[key] != nil { pending[key, default: 0] += 1 }
                if seen.insert(key).inserted { stack.append(parent) }
            }
        }
        order.sort { $0.id > $1.id }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed.detached()]
        /// Accumulates a leaf's gradient of this pass into `grad`.
        func settle(_ leaf: GradNode, _ key: ObjectIdentifier) {
            if let g = grads.removeValue(forKey: key), leaf.requiresGrad { leaf.grad = leaf.grad.map { $0 + g } ?? g }
        }
        /// Counts one consumer of `parent` done; reports a watched leaf whose consumers are all done.
        func consumed(_ parent: GradNode) {
            let key = ObjectIdentifier(parent)
            guard let index = watched[key], let left = pending[key] else { return }
            pending[key] = left - 1
            if left == 1 {
                settle(parent, key)
                reported.insert(index)
                ready(index)
            }
        }
        withoutGradients {
            for current in order {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(current)) else {
                    for case let parent? in current.inputs { consumed(parent) }
                    continue
                }
                if current.isLeaf {
                    if current.requiresGrad { current.grad = current.grad.map { $0 + g } ?? g }
                    continue
                }
                guard let fn = current.backward else {
                    preconditionFailure("backward() reached '\(current.op)' twice: its graph was already released")
                }
                let inputGrads = fn(g)
                for (parent, grad) in zip(current.inputs, inputGrads) {
                    guard let parent else { continue }
                    if let grad {
                        let key = ObjectIdentifier(parent)
                        grads[key] = grads[key].map { $0 + grad } ?? grad
                    }
                    consumed(parent)
                }
                current.backward = nil
                current.inputs = []
            }
        }
    }
}
