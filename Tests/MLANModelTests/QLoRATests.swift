import Foundation
import MLANCore
import Testing
@testable import MLANModel

/// LoRA adapters over a frozen 16-bit or Q8_0 base (QLoRA-style): the same loss and adapter gradients as over a
/// Float32 base holding the same values, with the base's weights taking 2 or 1.06 bytes a value instead of 4.
@Suite struct QLoRATests {
    static let config = LlamaConfig(vocabSize: 96, hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2,
                                    numAttentionHeads: 4, numKeyValueHeads: 2, tieWordEmbeddings: false)

    /// A seeded random model's parameters written to a safetensors file.
    static func checkpoint(_ tensors: [(name: String, tensor: Tensor)]) throws -> SafetensorsSource {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-qlora-\(UUID().uuidString).safetensors")
        try SafetensorsWriter.write(Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, .float32($0.tensor.detached())) }),
                                    metadata: [:], to: url)
        return try SafetensorsSource(files: [url], path: url.path)
    }

    /// Loss and every adapter's gradients after one backward pass on `ids`, with LoRA (rank 4, all seven
    /// projections) added from a fixed seed and B set to seeded values (a fresh B of zeros gives A no gradient).
    static func lossAndGradients(_ model: LlamaForCausalLM, ids: [[Int]]) -> (loss: Float, gradients: [String: [Float]]) {
        var rng = SplitMix64(seed: 21)
        let adapters = model.addLoRA(rank: 4, alpha: 8, targets: Set(LlamaForCausalLM.LoRATarget.allCases), rng: &rng)
        var values = SplitMix64(seed: 22)
        for adapter in adapters { adapter.b.assignInPlace(Tensor.normal(adapter.b.shape, std: 0.05, using: &values).scalars) }
        #expect(model.trainableParameters().allSatisfy { $0.name.contains("lora_") })
        let loss = model.logits(ids: ids).causalLMLoss(labels: ids)
        loss.backward()
        var gradients: [String: [Float]] = [:]
        for (name, tensor) in model.trainableParameters() { gradients[name] = tensor.grad?.scalars ?? [] }
        return (loss.item, gradients)
    }

    @Test(arguments: [WeightForm.bf16, .q8_0])
    func adaptersOverAFrozenBaseLearnAsOverTheFloat32One(_ form: WeightForm) throws {
        var rng = SplitMix64(seed: 20)
        let original = try Self.checkpoint(LlamaForCausalLM(Self.config, rng: &rng).namedParameters())
        let frozen = try LlamaAssembly(config: Self.config, source: original, form: form).build()
        // The Float32 base holds exactly the values the frozen matrices store (dequantized bit for bit).
        var stored: [String: Tensor] = [:]
        for (name, matrix) in frozen.namedFrozenMatrices() { stored[name] = matrix.dequantized() }
        #expect(stored.count == 2 * 7 + 2)
        var denseTensors: [(name: String, tensor: Tensor)] = []
        for name in original.names { denseTensors.append((name, try stored[name] ?? original.tensor(named: name))) }
        let denseSource = try Self.checkpoint(denseTensors)
        let dense = try LlamaAssembly(config: Self.config, source: denseSource, form: .f32).build()

        // Both paths of the kernels: under 16 input rows the fused one, above it dequantized tiles and GEMM.
        for ids in [[Array(0..<8).map { $0 * 11 % 96 }], (0..<2).map { b in (0..<16).map { ($0 * 7 + b * 5) % 96 } }] {
            let frozenModel = try LlamaAssembly(config: Self.config, source: original, form: form).build()
            let denseModel = try LlamaAssembly(config: Self.config, source: denseSource, form: .f32).build()
            let (lossFrozen, gradFrozen) = Self.lossAndGradients(frozenModel, ids: ids)
            let (lossDense, gradDense) = Self.lossAndGradients(denseModel, ids: ids)
            // Same values, other summation order: Float32 rounding of dot products of ≤ 128 terms, ≈ 1e-6 relative.
            #expect(abs(lossFrozen - lossDense) <= 1e-5 * lossDense, "\(form) loss \(lossFrozen) vs \(lossDense)")
            #expect(gradFrozen.keys.sorted() == gradDense.keys.sorted() && gradFrozen.count == 2 * 7 * 2)
            for (name, g) in gradDense {
                let scale = g.map(abs).max() ?? 0
                let worst = zip(g, gradFrozen[name] ?? []).map { abs($0 - $1) }.max() ?? .infinity
                #expect(scale > 0 && worst <= 1e-4 * scale, "\(form) \(name): \(worst) of \(scale)")
            }
        }

        // The weights held: the decoder's matrices in 2 (BF16) or 34/32 (Q8_0) bytes a value instead of 4.
        let values = frozen.namedFrozenMatrices().reduce(0) { $0 + $1.matrix.rows * $1.matrix.columns }
        let perValue = form == .bf16 ? 2.0 : 34.0 / 32
        #expect(Double(dense.weightBytes - frozen.weightBytes) == Double(values) * (4 - perValue))
    }
}
