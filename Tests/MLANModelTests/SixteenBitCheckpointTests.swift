import Foundation
import MLANCore
import MLANTestSupport
import Testing
@testable import MLANModel

/// A sharded BF16 Hub checkpoint loaded `.native` keeps its language model's matrices in 16 bits, read in place
/// from the mapped shards, and gives transformers' float32-upcast logits (`shared/fixtures/llava-hf-bf16-sharded`).
@Suite(.serialized) struct SixteenBitCheckpointTests {
    static let folder = LlavaHubCheckpointTests.folder

    @Test func nativeLoadKeepsBF16AndMatchesTheFloat32Upcast() throws {
        let native = try MultimodalLoader.load(model: Self.folder, weights: .native)
        let language = native.model.languageModel
        // Every decoder matrix (2 layers × 7 projections, the embedding, the untied head) stays BF16.
        let frozen = language.namedFrozenMatrices()
        #expect(frozen.count == 2 * 7 + 2)
        #expect(frozen.allSatisfy { $0.matrix.type == .bf16 && $0.matrix.byteCount == 2 * $0.matrix.rows * $0.matrix.columns })
        #expect(frozen.contains { $0.name == "lm_head.weight" } && frozen.contains { $0.name == "model.embed_tokens.weight" })
        // Only norms remain Float32 parameters in the language model; the tower and projector are Float32.
        #expect(language.namedParameters().allSatisfy { $0.name.hasSuffix("norm.weight") })
        #expect(native.model.visionTower.namedFrozenMatrices().isEmpty && !native.model.projector.namedParameters().isEmpty)

        // Half the bytes of the Float32 load for the decoder's matrices (BF16: 2 bytes a value).
        let f32 = try MultimodalLoader.load(model: Self.folder, weights: .f32)
        let matrixValues = frozen.reduce(0) { $0 + $1.matrix.rows * $1.matrix.columns }
        #expect(f32.model.weightBytes - native.model.weightBytes == 2 * matrixValues)

        // Logits at transformers' positions within 1e-3 of each row's largest magnitude; argmax everywhere equal.
        let ref = try LlavaHubCheckpointTests.reference()
        let ids = native.encode(prompt: "USER: <image>\nWhat is in the picture? ASSISTANT:").ids
        let image = Self.folder.appendingPathComponent("image.png")
        let logits = try native.logits(ids: ids, images: [image], allPositions: true)  // [34, V]
        let v = 32064
        let positions = try ref.integers(named: "logits_positions")
        let refRows = try ref.tensor(named: "logits_at_positions")  // [1, 3, V]
        for (k, position) in positions.enumerated() {
            let row = logits.scalars[(position * v)..<((position + 1) * v)]
            let expected = refRows.scalars[(k * v)..<((k + 1) * v)]
            let scale = expected.map(abs).max() ?? 1
            let worst = zip(row, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-3 * scale, "position \(position): \(worst) of \(scale)")
        }
        let argmax = (0..<34).map { t in (0..<v).max { logits.scalars[t * v + $0] < logits.scalars[t * v + $1] } ?? 0 }
        #expect(argmax == (try ref.integers(named: "logits_argmax")))

        // The same values as the Float32 load, summed in another order.
        let dense = try f32.logits(ids: ids, images: [image], allPositions: true)
        let scale = dense.scalars.map(abs).max() ?? 1
        #expect(zip(logits.scalars, dense.scalars).map { abs($0 - $1) }.max() ?? 0 <= 1e-5 * scale)
    }

    @Test func otherFormsEncodeTheLanguageModelAndKeepTheTowerFloat32() throws {
        for (form, type) in [(WeightForm.bf16, GGMLType.bf16), (.q8_0, .q8_0)] {
            let loaded = try MultimodalLoader.load(model: Self.folder, weights: form)
            #expect(loaded.model.languageModel.namedFrozenMatrices().allSatisfy { $0.matrix.type == type }, "\(form)")
            #expect(loaded.model.visionTower.namedFrozenMatrices().isEmpty)
        }
    }

    @Test func inspectReportsTheMemoryOfEachForm() throws {
        let text = try ModelInspection.describe(Self.folder)
        let source = try SafetensorsSource(directory: Self.folder)
        var matrices = 0, other = 0
        for name in source.names {
            let count = try source.shape(of: name).reduce(1, *)
            if name.hasPrefix("language_model."), try source.shape(of: name).count == 2 { matrices += count } else { other += count }
        }
        func line(_ form: String, _ bytes: Int) -> String {
            "  \(form.padding(toLength: 7, withPad: " ", startingAt: 0))" + ModelInspection.format(bytes: bytes)
        }
        #expect(text.contains("format: Hugging Face LLaVA directory"))
        #expect(text.contains(line("native", 2 * matrices + 4 * other)))
        #expect(text.contains(line("f32", 4 * matrices + 4 * other)))
        #expect(text.contains(line("bf16", 2 * matrices + 4 * other)))
        #expect(text.contains(line("q8_0", matrices / 32 * 34 + 4 * other)))
        #expect(text.contains("KV cache (Float32)"))
    }
}
