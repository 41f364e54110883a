import CKernels
import Foundation

/// Adam with decoupled weight decay, exactly as `torch.optim.AdamW` (single-tensor path) computes it.
///
/// Per step t: `p ← p·(1 − lr·wd)`, `m ← lerp(m, g, 1 − β1)`, `v ← β2·v + (1 − β2)·g²`,
/// `p ← p − (lr / (1 − β1ᵗ)) · m / (sqrt(v) / sqrt(1 − β2ᵗ) + eps)`.
public struct AdamW: Optimizer {
    public var groups: [ParameterGroup]
    public var beta1: Float, beta2: Float, eps: Float
    public private(set) var stepCount = 0
    private var m: [String: [Float]] = [:], v: [String: [Float]] = [:]
    /// Parameters per piece of the parallel update (~0.1 ms of work).
    static let grain = 1 << 16

    public init(_ groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    public mutating func step(learningRate lr: Float) {
        stepCount += 1
        // Scalars are computed in Double and rounded once, as PyTorch does with Python floats.
        let t = Double(stepCount)
        let biasCorrection1 = 1 - Foundation.pow(Double(beta1), t)
        let biasCorrection2Sqrt = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
        let negativeStepSize = Float(-Double(lr) / biasCorrection1)
        let averageWeight = Float(1 - Double(beta1)), squareWeight = Float(1 - Double(beta2))
        let (b2, eps) = (beta2, self.eps)
        for group in groups {
            let decay = Float(1 - Double(lr) * Double(group.weightDecay))
            for (name, p) in group.parameters where p.requiresGrad {
                guard let grad = p.grad else { continue }
                let n = p.count
                // The state is updated where the dictionaries hold it (no copy-on-write of whole arrays).
                grad.withUnsafeBufferPointer { g in
                    m[name, default: [Float](repeating: 0, count: n)].withUnsafeMutableBufferPointer { mt in
                        v[name, default: [Float](repeating: 0, count: n)].withUnsafeMutableBufferPointer { vt in
                            p.updateInPlace { weights in
                                weights.withUnsafeMutableBufferPointer { w in
                                    // Elements are independent: pieces run on the worker pool, each through the
                                    // widest vector kernel of this CPU (same IEEE operations, same bits).
                                    Parallel.forEach(count: n, grain: AdamW.grain) { range in
                                        let i = range.lowerBound
                                        mlan_adamw_update(w.baseAddress! + i, mt.baseAddress! + i, vt.baseAddress! + i,
                                                          g.baseAddress! + i, range.count, decay, averageWeight, b2,
                                                          squareWeight, biasCorrection2Sqrt, eps, negativeStepSize)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public var state: (step: Int, tensors: [String: [Float]]) {
        var tensors: [String: [Float]] = [:]
        for (k, x) in m { tensors[k + ".exp_avg"] = x }
        for (k, x) in v { tensors[k + ".exp_avg_sq"] = x }
        return (stepCount, tensors)
    }

    public mutating func restore(step: Int, tensors: [String: [Float]]) throws {
        var newM: [String: [Float]] = [:], newV: [String: [Float]] = [:]
        if step > 0 {
            for group in groups {
                for (name, p) in group.parameters where p.requiresGrad {
                    // A parameter that never had a gradient has no moments yet, here as in PyTorch.
                    guard tensors[name + ".exp_avg"] != nil || tensors[name + ".exp_avg_sq"] != nil else { continue }
                    for (slot, key) in [("exp_avg", name + ".exp_avg"), ("exp_avg_sq", name + ".exp_avg_sq")] {
                        guard let values = tensors[key] else { throw OptimizerError.missingState(key: key) }
                        guard values.count == p.count else {
                            throw OptimizerError.stateSizeMismatch(key: key, expected: p.count, actual: values.count)
                        }
                        if slot == "exp_avg" { newM[name] = values } else { newV[name] = values }
                    }
                }
            }
        }
        m = newM
        v = newV
        stepCount = step
    }
}
