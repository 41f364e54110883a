import Foundation
import MLANTestSupport
import Testing
@testable import MLANCore

/// AdamW + warmup/cosine + global-norm clipping against PyTorch (`fixtures/optim`).
@Suite struct OptimizerParityTests {
    @Test func adamWWithScheduleAndClippingMatchesPyTorchEveryStep() throws {
        let folder = SharedPaths.fixture("optim")
        let initial = try SafetensorsFile.load(from: folder.appendingPathComponent("initial.safetensors"))
        let batch = try SafetensorsFile.load(from: folder.appendingPathComponent("batch.safetensors"))
        let after = try SafetensorsFile.load(from: folder.appendingPathComponent("after_each_step.safetensors"))
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("reference.json"))) as! [String: Any]
        let steps = reference["steps"] as! [[String: Any]]

        let first = Linear(weight: try initial.tensor(named: "0.weight"), bias: try initial.tensor(named: "0.bias"))
        let second = Linear(weight: try initial.tensor(named: "2.weight"), bias: try initial.tensor(named: "2.bias"))
        let named: [(name: String, tensor: Tensor)] = [("0.weight", first.weight), ("0.bias", first.bias!),
                                                       ("2.weight", second.weight), ("2.bias", second.bias!)]
        let x = try batch.tensor(named: "x"), y = try batch.tensor(named: "y").scalars.map { Int($0) }
        var optimizer = AdamW(ParameterGroup.decayAndNoDecay(named, weightDecay: 0.1), beta1: 0.9, beta2: 0.999, eps: 1e-8)
        let schedule = LearningRateSchedule(.cosine, peak: 0.01, totalSteps: 8, warmupRatio: 0.25)
        #expect(schedule.warmupSteps == 2)

        for (s, expected) in steps.enumerated() {
            for p in named { p.tensor.zeroGrad() }
            let loss = second(first(x).tanh()).crossEntropy(targets: y)
            #expect(abs(loss.item - Float(expected["loss"] as! Double)) < 1e-5 * 2, "step \(s) loss")
            loss.backward()
            let norm = clipGradientNorm(named.map(\.tensor), maxNorm: 0.5)
            #expect(abs(norm - Float(expected["grad_norm_before_clip"] as! Double)) < 1e-5, "step \(s) norm")
            let lr = schedule.learningRate(at: s)
            #expect(abs(lr - (expected["lr"] as! Double)) < 1e-12, "step \(s) lr")
            optimizer.step(learningRate: Float(lr))
            for p in named {
                let want = try after.tensor(named: "step\(s).\(p.name)").scalars
                // Relative as the project measures it: max |Δ| over the tensor, scaled by its max magnitude.
                let scale = want.map { abs($0) }.max()!
                let error = zip(p.tensor.scalars, want).map { abs($0 - $1) }.max()! / scale
                #expect(error < 1e-5, "step \(s) \(p.name): scaled relative error \(error)")
            }
        }
    }

    @Test func sgdWithNesterovMomentumFollowsTheDefinition() {
        let w = Tensor([1, -2]).requiringGradient()
        var sgd = SGD([ParameterGroup([("w", w)], weightDecay: 0.5)], momentum: 0.9, nesterov: true)
        (w * w).sum().backward()  // g = 2w = [2, -4]; d = g + 0.5 w = [2.5, -5]; buf = d; step d + 0.9 buf
        sgd.step(learningRate: 0.1)
        let expected: [Float] = [1 - 0.1 * 2.5 * 1.9, -2 + 0.1 * 5 * 1.9]
        #expect(abs(w.scalars[0] - expected[0]) < 1e-6 && abs(w.scalars[1] - expected[1]) < 1e-6)
    }

    @Test func linearScheduleDecaysToZero() {
        let s = LearningRateSchedule(.linear, peak: 1, totalSteps: 10, warmupRatio: 0.2)
        #expect(s.learningRate(at: 0) == 0 && s.learningRate(at: 1) == 0.5 && s.learningRate(at: 2) == 1)
        #expect(s.learningRate(at: 6) == 0.5 && s.learningRate(at: 10) == 0)
    }
}

/// AdamW's saved state: what `state` holds is what `restore` needs to continue bit for bit.
@Suite struct AdamWStateTests {
    /// Two parameters of which only `used` ever gets a gradient (as a tower layer past the feature layer).
    static func optimizer() -> (AdamW, used: Tensor, unused: Tensor) {
        let used = Tensor([1, -2]).requiringGradient(), unused = Tensor([3]).requiringGradient()
        return (AdamW([ParameterGroup([("used", used), ("unused", unused)], weightDecay: 0.1)]), used, unused)
    }

    static func step(_ optimizer: inout AdamW, _ used: Tensor) {
        used.zeroGrad()
        (used * used).sum().backward()
        optimizer.step(learningRate: 0.1)
    }

    @Test func aParameterThatNeverHadAGradientRestoresWithoutStateAndContinuesBitForBit() throws {
        var (straight, used, _) = Self.optimizer()
        for _ in 0..<4 { Self.step(&straight, used) }
        var (first, resumedUsed, _) = Self.optimizer()
        for _ in 0..<2 { Self.step(&first, resumedUsed) }
        #expect(first.state.tensors.keys.sorted() == ["used.exp_avg", "used.exp_avg_sq"])
        var (second, _, _) = Self.optimizer()
        second.groups = first.groups
        try second.restore(step: first.state.step, tensors: first.state.tensors)
        for _ in 0..<2 { Self.step(&second, resumedUsed) }
        #expect(resumedUsed.scalars.map(\.bitPattern) == used.scalars.map(\.bitPattern))
    }

    @Test func aParameterWithOnlyOneOfItsMomentsIsRefused() {
        var (optimizer, _, _) = Self.optimizer()
        #expect(throws: OptimizerError.missingState(key: "unused.exp_avg_sq")) {
            try optimizer.restore(step: 2, tensors: ["unused.exp_avg": [0]])
        }
    }
}
