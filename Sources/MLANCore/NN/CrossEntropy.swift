import CKernels
import Foundation

extension Tensor {
    /// Mean cross-entropy of `[N, V]` logits against `targets` (N class ids), over supervised rows only.
    ///
    /// Rows whose target is `ignoreIndex` (-100 by default) add nothing; the mean divides by the number of
    /// supervised rows (0 when there are none, with a zero gradient), as PyTorch's `cross_entropy` does.
    /// Rows run in parallel; only each row's max and log-sum-exp are kept for the backward pass, which
    /// recomputes the probabilities from the logits.
    public func crossEntropy(targets: [Int], ignoreIndex: Int = -100) -> Tensor {
        precondition(rank == 2, "crossEntropy needs [N, V] logits, got \(shape)")
        let rows = shape[0], vocab = shape[1]
        precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for logits \(shape)")
        for t in targets where t != ignoreIndex {
            precondition(t >= 0 && t < vocab, "crossEntropy: target \(t) is out of range for \(vocab) classes")
        }
        let supervised = targets.filter { $0 != ignoreIndex }.count
        // Per row: the max and log Σ e^(x − max), and the target's log-probability.
        var peaks = [Float](repeating: 0, count: rows), logTotals = peaks, targetLogProbabilities = peaks
        withUnsafeBufferPointer { x in
            peaks.withUnsafeMutableBufferPointer { peakOut in
                logTotals.withUnsafeMutableBufferPointer { logTotalOut in
                    targetLogProbabilities.withUnsafeMutableBufferPointer { logProbabilityOut in
                        Parallel.forEach(count: rows, grain: SoftmaxKernel.rowGrain(vocab)) { range in
                            for r in range where targets[r] != ignoreIndex {
                                let row = x.baseAddress! + r * vocab
                                var peak = FastMath.maximum(row, count: vocab)
                                if peak == -.infinity { peak = 0 }
                                let total = FastMath.expAndSum(row, shift: -peak, into: nil, count: vocab)
                                let logTotal = Float(Foundation.log(total))
                                peakOut[r] = peak
                                logTotalOut[r] = logTotal
                                logProbabilityOut[r] = (row[targets[r]] - peak) - logTotal
                            }
                        }
                    }
                }
            }
        }
        var total: Double = 0
        for r in 0..<rows where targets[r] != ignoreIndex { total -= Double(targetLogProbabilities[r]) }  // row order
        let loss = supervised > 0 ? Float(total / Double(supervised)) : 0
        let logits = self
        return Tensor(shape: [], scalars: [loss]).recorded("cross_entropy", inputs: [self]) { g in
            guard supervised > 0 else { return [Tensor.zeros([rows, vocab])] }
            let scale = g.item / Float(supervised)
            let grad = logits.withUnsafeBufferPointer { x in
                Memory.floats(rows * vocab) { out in
                    Parallel.forEach(count: rows, grain: SoftmaxKernel.rowGrain(vocab)) { range in
                        for r in range {
                            let o = out + r * vocab
                            guard targets[r] != ignoreIndex else {
                                o.initialize(repeating: 0, count: vocab)
                                continue
                            }
                            // softmax = e^((x − max) − log Σ), as the log-probabilities were formed.
                            let row = x.baseAddress! + r * vocab
                            let peak = peaks[r], logTotal = logTotals[r]
                            mlan_softmax_scaled(FastMath.vectorWidth, row, peak, logTotal, scale, o, vocab)
                            o[targets[r]] -= scale
                        }
                    }
                }
            }
            return [Tensor(shape: [rows, vocab], scalars: grad)]
        }
    }
}
