import MLANCore
import Testing
@testable import MLANModel

/// The blocks each architecture file keeps to itself, and the per-layer KV cache.
@Suite struct BlockTests {
    @Test func llamaMLPIsGatedUnderHuggingFaceNamesAndHasGradients() {
        var rng = SplitMix64(seed: 1)
        let mlp = LlamaMLP(3, hidden: 4, activation: .silu, rng: &rng)
        #expect(mlp.namedParameters().map(\.name) == ["gate_proj.weight", "up_proj.weight", "down_proj.weight"])
        let x = Tensor.normal([2, 3], using: &rng)
        let expected = (x.matmul(mlp.gateProj.linear.weight, transposeOther: true).silu()
            * x.matmul(mlp.upProj.linear.weight, transposeOther: true)).matmul(mlp.downProj.linear.weight, transposeOther: true)
        #expect(zip(mlp(x).scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        let result = gradcheck([x]) { mlp($0[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test func clipMLPHasBiasesUnderHuggingFaceNamesAndHasGradients() {
        var rng = SplitMix64(seed: 2)
        let mlp = CLIPMLP(3, hidden: 5, activation: .quickGELU, rng: &rng)
        #expect(mlp.namedParameters().map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        let x = Tensor.normal([2, 3], using: &rng)
        let result = gradcheck([x]) { mlp($0[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test func eachDecoderLayerFillsItsOwnCacheSlot() {
        var rng = SplitMix64(seed: 3)
        let model = LlamaForCausalLM(.tiny, rng: &rng)
        let cache = model.makeCache()
        #expect(cache.layers.count == 2 && cache.length == 0)
        _ = withoutGradients { model.logits(ids: [[1, 2, 3]], cache: cache) }
        #expect(cache.layers.map(\.length) == [3, 3] && cache.length == 3)
        let (first, second) = (cache.layers[0].storage.tensors.keys, cache.layers[1].storage.tensors.keys)
        #expect(first.shape == [1, 2, 3, 8] && first.scalars != second.scalars)
        let branch = cache.copy()
        _ = withoutGradients { model.logits(ids: [[4]], cache: branch) }
        #expect(branch.layers.map(\.length) == [4, 4] && cache.layers.map(\.length) == [3, 3])
    }

    @Test func decodingOneTokenAtATimeMatchesTheFullForward() {
        var rng = SplitMix64(seed: 4)
        let model = LlamaForCausalLM(.tiny, rng: &rng)
        let ids = [5, 9, 2, 7, 1]
        let full = withoutGradients { model.logits(ids: [ids]) }  // [1, 5, V]
        let cache = model.makeCache()
        var stepped: [Float] = []
        for id in ids { stepped += withoutGradients { model.logits(ids: [[id]], cache: cache) }.scalars }
        #expect(zip(full.scalars, stepped).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
