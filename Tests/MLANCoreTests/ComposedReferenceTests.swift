import Testing
@testable import MLANCore

/// Each fused kernel against its composed version (autograd ops only), forward and backward.
@Suite struct ComposedReferenceTests {
    /// max |a − b| / max(1, max |b|).
    static func error(_ a: [Float], _ b: [Float]) -> Float {
        let scale = Swift.max(1, b.map(abs).max() ?? 0)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// The value of `f` at fresh leaves copied from `inputs`, and the gradient of `(f · upstream).sum()` for
    /// each leaf.
    static func valueAndGradients(_ inputs: [Tensor], upstream: Tensor?,
                                  _ f: ([Tensor]) -> Tensor) -> (value: [Float], gradients: [[Float]]) {
        let leaves = inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars).requiringGradient() }
        let out = f(leaves)
        (upstream.map { (out * $0).sum() } ?? out).backward()
        return (out.scalars, leaves.map { $0.grad?.scalars ?? [] })
    }

    /// Fused against composed on the same inputs; returns the worst scaled error of value and gradients.
    static func compare(_ inputs: [Tensor], upstream: Tensor?, fused: ([Tensor]) -> Tensor,
                        composed: ([Tensor]) -> Tensor) -> (value: Float, gradients: [Float]) {
        let a = valueAndGradients(inputs, upstream: upstream, fused)
        let b = valueAndGradients(inputs, upstream: upstream, composed)
        #expect(a.gradients.allSatisfy { !$0.isEmpty } && a.gradients.map(\.count) == b.gradients.map(\.count))
        return (error(a.value, b.value), zip(a.gradients, b.gradients).map { error($0, $1) })
    }

    struct AttentionCase: Sendable, CustomStringConvertible {
        var name: String, b: Int, h: Int, hkv: Int, t: Int, s: Int, causal: Bool, padding: [[Bool]]?
        var description: String { name }
    }

    static let attentionCases = [
        AttentionCase(name: "causal", b: 1, h: 2, hkv: 2, t: 5, s: 5, causal: true, padding: nil),
        AttentionCase(name: "causal after a cache", b: 2, h: 2, hkv: 2, t: 2, s: 6, causal: true, padding: nil),
        AttentionCase(name: "grouped KV", b: 2, h: 6, hkv: 2, t: 4, s: 4, causal: true, padding: nil),
        AttentionCase(name: "right-padded keys", b: 2, h: 4, hkv: 2, t: 4, s: 4, causal: true,
                      padding: [[true, true, true, true], [true, true, false, false]]),
        AttentionCase(name: "left padding leaves a row with no key", b: 2, h: 2, hkv: 1, t: 3, s: 3, causal: true,
                      padding: [[false, true, true], [true, true, true]]),
        AttentionCase(name: "bidirectional with padding", b: 2, h: 3, hkv: 3, t: 4, s: 4, causal: false,
                      padding: [[true, false, true, true], [true, true, true, true]]),
    ]

    @Test(arguments: attentionCases)
    func attentionMatchesItsComposedVersion(_ c: AttentionCase) {
        var rng = SplitMix64(seed: 7)
        let d = 8
        let q = Tensor.normal([c.b, c.h, c.t, d], using: &rng)
        let k = Tensor.normal([c.b, c.hkv, c.s, d], using: &rng), v = Tensor.normal([c.b, c.hkv, c.s, d], using: &rng)
        let upstream = Tensor.normal([c.b, c.h, c.t, d], using: &rng)
        let mask = AttentionMask(causal: c.causal, keyPadding: c.padding)
        let (value, gradients) = Self.compare([q, k, v], upstream: upstream, fused: {
            Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], mask: mask)
        }, composed: {
            Tensor.composedScaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], mask: mask)
        })
        #expect(value < 1e-5 && gradients.allSatisfy { $0 < 1e-5 }, "\(c): value \(value), gradients \(gradients)")
    }

    @Test func aQueryRowWithNoVisibleKeyIsZeroInBoth() {
        var rng = SplitMix64(seed: 8)
        let q = Tensor.normal([1, 1, 2, 4], using: &rng), k = Tensor.normal([1, 1, 2, 4], using: &rng)
        let mask = AttentionMask(causal: true, keyPadding: [[false, true]])
        let fused = Tensor.scaledDotProductAttention(query: q, key: k, value: k, mask: mask)
        let composed = Tensor.composedScaledDotProductAttention(query: q, key: k, value: k, mask: mask)
        #expect(fused.scalars[0..<4].allSatisfy { $0 == 0 } && composed.scalars[0..<4].allSatisfy { $0 == 0 })
        #expect(fused.scalars[4..<8] != [0, 0, 0, 0][...])
    }

    @Test(arguments: [[3, 7], [2, 3, 16], [1, 1]])
    func rmsNormMatchesItsComposedVersion(shape: [Int]) {
        var rng = SplitMix64(seed: 9)
        let x = Tensor.normal(shape, using: &rng), w = Tensor.normal([shape[shape.count - 1]], using: &rng)
        let (value, gradients) = Self.compare([x, w], upstream: Tensor.normal(shape, using: &rng),
                                              fused: { $0[0].rmsNorm(weight: $0[1], eps: 1e-5) },
                                              composed: { $0[0].composedRMSNorm(weight: $0[1], eps: 1e-5) })
        #expect(value < 1e-5 && gradients.allSatisfy { $0 < 1e-5 }, "value \(value), gradients \(gradients)")
    }

    @Test(arguments: [[3, 7], [2, 3, 16], [4, 2]])
    func layerNormMatchesItsComposedVersion(shape: [Int]) {
        var rng = SplitMix64(seed: 10)
        let d = shape[shape.count - 1]
        let x = Tensor.normal(shape, mean: 2, using: &rng)
        let w = Tensor.normal([d], using: &rng), b = Tensor.normal([d], using: &rng)
        let (value, gradients) = Self.compare([x, w, b], upstream: Tensor.normal(shape, using: &rng),
                                              fused: { $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) },
                                              composed: { $0[0].composedLayerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) })
        #expect(value < 1e-5 && gradients.allSatisfy { $0 < 1e-4 }, "value \(value), gradients \(gradients)")
    }

    @Test(arguments: [[2, 0, 4, 1, 3], [2, -100, 4, -100, 0], [-100, 1, -100, -100, -100]])
    func crossEntropyMatchesItsComposedVersionWithIgnoredTargets(targets: [Int]) {
        var rng = SplitMix64(seed: 11)
        let logits = Tensor.normal([5, 6], std: 3, using: &rng)
        let (value, gradients) = Self.compare([logits], upstream: nil,
                                              fused: { $0[0].crossEntropy(targets: targets) },
                                              composed: { $0[0].composedCrossEntropy(targets: targets) })
        #expect(value < 1e-5 && gradients.allSatisfy { $0 < 1e-5 }, "value \(value), gradients \(gradients)")
    }

    @Test func crossEntropyWithEveryTargetIgnoredIsZeroWithZeroGradientInBoth() {
        var rng = SplitMix64(seed: 12)
        let logits = Tensor.normal([3, 4], using: &rng)
        let targets = [-100, -100, -100]
        let fused = Self.valueAndGradients([logits], upstream: nil) { $0[0].crossEntropy(targets: targets) }
        let composed = Self.valueAndGradients([logits], upstream: nil) { $0[0].composedCrossEntropy(targets: targets) }
        #expect(fused.value == [0] && composed.value == [0])
        #expect(fused.gradients[0].allSatisfy { $0 == 0 } && composed.gradients[0].allSatisfy { $0 == 0 })
    }

    @Test func baseAddressesReadInOrderAndWriteFreshZeroedArrays() {
        let a = Tensor(shape: [2], scalars: [1, 2]), b = Tensor(shape: [3], scalars: [3, 4, 5]), empty = Tensor.zeros([0])
        let arrays = BaseAddresses.reading([a, empty, b]) { inputs in
            BaseAddresses.writingZeros([2, 0, 3]) { outputs in
                for i in 0..<2 { outputs[0][i] = inputs[0][i] * 10 }
                outputs[2][2] = inputs[2][2]
            }
        }
        #expect(arrays == [[10, 20], [], [0, 0, 5]])
    }
}
