import Testing
@testable import MLANCore

@Suite struct ModuleTests {
    /// A gated feed-forward block built from Core's layers, as an architecture file would define its own.
    final class MLP: Module {
        let gate: Linear, up: Linear, down: Linear
        init(_ dimension: Int, hidden: Int, rng: inout SplitMix64) {
            gate = Linear(dimension, hidden, bias: false, rng: &rng)
            up = Linear(dimension, hidden, bias: false, rng: &rng)
            down = Linear(hidden, dimension, bias: false, rng: &rng)
        }
        func visit(_ v: inout ParameterVisitor) {
            v.module("gate_proj", gate); v.module("up_proj", up); v.module("down_proj", down)
        }
        func callAsFunction(_ x: Tensor) -> Tensor { down(gate(x).silu() * up(x)) }
    }

    final class Block: Module {
        let attention: Linear, mlp: MLP, norm: RMSNorm, drop: Dropout
        init(rng: inout SplitMix64) {
            attention = Linear(4, 4, bias: true, rng: &rng)
            mlp = MLP(4, hidden: 6, rng: &rng)
            norm = RMSNorm(4, eps: 1e-6)
            drop = Dropout(0.5, seed: 1)
        }
        func visit(_ v: inout ParameterVisitor) {
            v.module("self_attn", attention); v.module("mlp", mlp); v.module("input_layernorm", norm); v.module("drop", drop)
        }
    }

    final class Stack: Module {
        let layers: [Block]
        init(rng: inout SplitMix64) { layers = (0..<2).map { _ in Block(rng: &rng) } }
        func visit(_ v: inout ParameterVisitor) { for (i, l) in layers.enumerated() { v.module("layers.\(i)", l) } }
    }

    @Test func parametersCarryHuggingFaceNames() {
        var rng = SplitMix64(seed: 1)
        let model = Stack(rng: &rng)
        let names = model.namedParameters().map(\.name)
        #expect(names.prefix(6) == ["layers.0.self_attn.weight", "layers.0.self_attn.bias",
                                    "layers.0.mlp.gate_proj.weight", "layers.0.mlp.up_proj.weight",
                                    "layers.0.mlp.down_proj.weight", "layers.0.input_layernorm.weight"])
        #expect(names.count == 12)
        #expect(model.parameterCount == 2 * (16 + 4 + 3 * 24 + 4))
    }

    @Test func freezingByPrefixStopsGradients() {
        var rng = SplitMix64(seed: 2)
        let model = Stack(rng: &rng)
        model.freeze(prefixes: ["layers.0."])
        #expect(model.trainableParameters().allSatisfy { $0.name.hasPrefix("layers.1.") })
        let x = Tensor.normal([3, 4], using: &rng)
        model.setTraining(false)
        var h = x
        for layer in model.layers { h = layer.mlp(layer.norm(layer.attention(h))) }
        h.sum().backward()
        #expect(model.layers[0].attention.weight.grad == nil)
        #expect(model.layers[1].attention.weight.grad != nil)
        model.unfreeze()
        #expect(model.trainableParameters().count == 12)
    }

    @Test func dropoutIsSeededAndOffInEvaluation() {
        let x = Tensor.ones([1000])
        let a = Dropout(0.25, seed: 7), b = Dropout(0.25, seed: 7)
        let ya = a(x), yb = b(x)
        #expect(ya.scalars == yb.scalars)
        let kept = ya.scalars.filter { $0 != 0 }
        #expect(abs(Float(kept.count) / 1000 - 0.75) < 0.05 && kept.allSatisfy { abs($0 - 4.0 / 3) < 1e-6 })
        a.isTraining = false
        #expect(a(x).scalars == x.scalars)
    }

    @Test func layersHaveGradients() {
        var rng = SplitMix64(seed: 3)
        let linear = Linear(3, 2, rng: &rng), mlp = MLP(3, hidden: 4, rng: &rng)
        let conv = PatchConv2D(inChannels: 2, outChannels: 3, patchSize: 2, bias: true, rng: &rng)
        let x = Tensor.normal([2, 3], using: &rng)
        for module: (Tensor) -> Tensor in [linear.callAsFunction, mlp.callAsFunction] {
            let result = gradcheck([x]) { module($0[0]) }
            #expect(result.passed, "\(result)")
        }
        let weightCheck = gradcheck([x, linear.weight, linear.bias!]) { $0[0].matmul($0[1], transposeOther: true) + $0[2] }
        #expect(weightCheck.passed, "\(weightCheck)")
        let image = Tensor.normal([1, 2, 4, 6], using: &rng)
        let convCheck = gradcheck([image, conv.weight, conv.bias!]) { $0[0].patchConvolution(weight: $0[1], bias: $0[2]) }
        #expect(convCheck.passed, "\(convCheck)")
    }

    @Test func patchConvolutionMatchesDirectConvolution() {
        var rng = SplitMix64(seed: 4)
        let conv = PatchConv2D(inChannels: 2, outChannels: 3, patchSize: 2, bias: true, rng: &rng)
        let image = Tensor.normal([1, 2, 4, 6], using: &rng)
        let out = conv(image)  // [1, 6, 3]
        #expect(out.shape == [1, 6, 3])
        let w = conv.weight.scalars, b = conv.bias!.scalars, x = image.scalars
        for py in 0..<2 { for px in 0..<3 { for o in 0..<3 {
            var sum = b[o]
            for c in 0..<2 { for i in 0..<2 { for j in 0..<2 {
                sum += w[((o * 2 + c) * 2 + i) * 2 + j] * x[(c * 4 + py * 2 + i) * 6 + px * 2 + j]
            }}}
            #expect(abs(out.scalars[(py * 3 + px) * 3 + o] - sum) < 1e-5)
        }}}
    }

    @Test func loraStartsAsIdentityAndMergesExactly() {
        var rng = SplitMix64(seed: 5)
        let base = Linear(4, 3, rng: &rng)
        let lora = LoRALinear(wrapping: base, rank: 2, alpha: 4, rng: &rng)
        let x = Tensor.normal([5, 4], using: &rng)
        #expect(lora(x).scalars == base(x).scalars)
        lora.b.assignInPlace(Tensor.normal([3, 2], using: &rng).scalars)
        let adapted = lora(x).scalars
        #expect(adapted != base(x).scalars)
        #expect(lora.trainableParameters().map(\.name) == ["lora_A.weight", "lora_B.weight"])
        let before = base.weight.scalars
        lora.merge()
        #expect(zip(lora(x).scalars, adapted).allSatisfy { abs($0 - $1) < 1e-5 })
        lora.unmerge()
        #expect(zip(base.weight.scalars, before).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func orthogonalInitializerIsOrthonormal() throws {
        var rng = SplitMix64(seed: 6)
        let q = try Initializer.orthogonal([3, 5], rng: &rng)
        let gram = q.matmul(q, transposeOther: true)
        for i in 0..<3 { for j in 0..<3 { #expect(abs(gram.scalars[i * 3 + j] - (i == j ? 1 : 0)) < 1e-5) } }
        let k = Initializer.kaimingUniform([8, 16], rng: &rng)
        #expect(k.scalars.allSatisfy { abs($0) <= 0.25 })
    }
}
