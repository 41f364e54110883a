import Foundation
import MLANCore
import MLANExperiment
import MLANTestSupport
import Testing

/// `mlan model logits --ids … --image FILE` on the llava-hf BF16 fixture: ids that already hold the image token, in
/// each convention, give transformers' last-position logits.
@Suite(.serialized) struct LogitsJobTests {
    static let folder = SharedPaths.fixture("llava-hf-bf16-sharded")

    @Test func idsHoldingTheImageTokenInEitherConventionGiveTransformersLogits() throws {
        let ref = try SafetensorsFile.load(from: Self.folder.appendingPathComponent("ref.safetensors"))
        let expanded = try ref.integers(named: "input_ids")                       // 16 × 32000, as the processor writes
        var single: [Int] = []                                                     // one 32000 per image
        for id in expanded where !(id == 32000 && single.last == 32000) { single.append(id) }
        let llava = single.map { $0 == 32000 ? LogitsJob.llavaImagePlaceholder : $0 }  // LLaVA's -200
        let v = 32064
        let last = Array(try ref.tensor(named: "logits_at_positions").scalars[(2 * v)...])  // position 33
        let scale = last.map(abs).max() ?? 1
        var outputs: [[Float]] = []
        for ids in [expanded, single, llava] {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-logits-\(UUID().uuidString).safetensors")
            defer { try? FileManager.default.removeItem(at: output) }
            var job = LogitsJob(model: Self.folder, prompt: .ids(ids), output: output)
            job.image = Self.folder.appendingPathComponent("image.png")
            _ = try job.run()
            let written = try SafetensorsFile.load(from: output)
            let logits = try written.tensor(named: "logits")
            #expect(logits.shape == [v])
            #expect(zip(logits.scalars, last).map { abs($0 - $1) }.max() ?? 0 <= 1e-4 * scale)
            outputs.append(logits.scalars)
        }
        #expect(outputs[1] == outputs[2])  // -200 is the image token

        var noImage = LogitsJob(model: Self.folder, prompt: .ids([1, 3148, 1001]), output: URL(fileURLWithPath: "/nonexistent/x"))
        noImage.image = Self.folder.appendingPathComponent("image.png")
        #expect { try noImage.run() } throws: { "\($0)".contains("--ids") && "\($0)".contains("32000") }
    }
}
