extension Tensor {
    /// `crossEntropy` composed from autograd ops, to read and to test the fused kernel against: the mean over
    /// supervised rows of `log Σ e^x − x[target]` (each row shifted by its detached max first). `[N, V]` logits
    /// and N targets -> a scalar; rows whose target is `ignoreIndex` add nothing, and with none supervised the
    /// loss is 0.
    func composedCrossEntropy(targets: [Int], ignoreIndex: Int = -100) -> Tensor {
        let (rows, vocab) = (shape[0], shape[1])
        var picked = [Float](repeating: 0, count: rows * vocab), supervised = [Float](repeating: 0, count: rows)
        for (r, target) in targets.enumerated() where target != ignoreIndex {
            picked[r * vocab + target] = 1
            supervised[r] = 1
        }
        let count = supervised.reduce(0, +)
        guard count > 0 else { return (self * 0).sum() }
        let shifted = self - max(axis: 1, keepDims: true).detached()                         // [N, V]
        let logTotals = shifted.exp().sum(axes: [1], keepDims: true).log()                   // [N, 1]
        let targetLogits = (shifted * Tensor(shape: [rows, vocab], scalars: picked))
            .sum(axes: [1], keepDims: true)                                                  // [N, 1]
        let losses = (logTotals - targetLogits) * Tensor(shape: [rows, 1], scalars: supervised)  // [N, 1]
        return losses.sum() / count                                                          // []
    }
}
