import Foundation
import MLANData
import MLANExperiment
import MLANTestSupport
import Testing

@Suite struct TokenizerJobFormsTests {
    static let folder = SharedPaths.fixture("llama2-tokenizer")
    static let forms = ["tokenizer.model", "tokenizer.json", "ggml-vocab-llama-spm.gguf"]

    @Test(arguments: forms)
    func everyLlamaFormEncodesJSONLinesWithNewlinesAsSentencePiece(file: String) throws {
        let job = try TokenizerJob(file: Self.folder.appendingPathComponent(file))
        #expect(job.tokenizer is LlamaTokenizer)
        var encoded: [String] = []
        try job.encode(jsonLines: [#""Hello world""#, #""a\nb""#, #""</s>""#], addSpecialTokens: false) {
            encoded.append($0)
        }
        #expect(encoded == ["[15043, 3186]", "[263, 13, 29890]", "[1533, 29879, 29958]"])
        var withBOS: [String] = []
        job.encode(lines: ["Hello world"], addSpecialTokens: true) { withBOS.append($0) }
        #expect(withBOS == ["[1, 15043, 3186]"])
        var decoded: [String] = []
        try job.decode(lines: ["[263, 13, 29890]"], skipSpecialTokens: true) { decoded.append($0) }
        #expect(decoded == ["a\nb"])
    }

    @Test func aJSONLinesLineThatIsNotAStringFailsNamingTheLine() throws {
        let job = try TokenizerJob(file: Self.folder.appendingPathComponent("tokenizer.model"))
        #expect {
            try job.encode(jsonLines: [#""ok""#, "not json"], source: "in.jsonl", addSpecialTokens: false) { _ in }
        } throws: { "\($0)".contains("in.jsonl") && "\($0)".contains("line 2") }
    }

    @Test func byteLevelTokenizerJSONStillLoadsAsBPE() throws {
        let job = try TokenizerJob(file: SharedPaths.fixture("smollm2/tokenizer.json"))
        #expect(job.tokenizer is BPETokenizer)
    }
}
