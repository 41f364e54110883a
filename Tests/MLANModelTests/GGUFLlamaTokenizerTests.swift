import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTestSupport
import Testing

@Suite struct GGUFLlamaTokenizerTests {
    struct StressLine: Decodable { let text: String; let ids: [Int]; let decoded: String }

    static let folder = SharedPaths.fixture("llama2-tokenizer")

    static func stressLines() throws -> [(line: Int, value: StressLine)] {
        let text = try String(contentsOf: folder.appendingPathComponent("stress.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").enumerated().map { index, line in
            (index + 1, try JSONDecoder().decode(StressLine.self, from: Data(line.utf8)))
        }
    }

    static func gguf() throws -> GGUFFile {
        try GGUFFile.load(from: folder.appendingPathComponent("ggml-vocab-llama-spm.gguf"))
    }

    @Test func llamaVocabularyInGGUFEncodesEveryStressLineAsSentencePiece() throws {
        let tokenizer = try LlamaTokenizer(gguf: Self.gguf())
        let lines = try Self.stressLines()
        #expect(lines.count == 512)
        let encodeMismatches = lines.filter { tokenizer.encode($0.value.text, addSpecialTokens: false) != $0.value.ids }
        #expect(encodeMismatches.isEmpty, "encode differs on lines \(encodeMismatches.prefix(5).map(\.line))")
        let decodeMismatches = lines.filter { tokenizer.decode($0.value.ids, skipSpecialTokens: true) != $0.value.decoded }
        #expect(decodeMismatches.isEmpty, "decode differs on lines \(decodeMismatches.prefix(5).map(\.line))")
    }

    @Test func ggufFormMatchesTheModelFileAndAddsBOS() throws {
        let fromGGUF = try LlamaTokenizer(gguf: Self.gguf())
        let fromModel = try LlamaTokenizer.load(from: Self.folder.appendingPathComponent("tokenizer.model"))
        #expect(fromGGUF.vocabulary == fromModel.vocabulary)
        #expect(fromGGUF.encode("Hello world", addSpecialTokens: true) == [1, 15043, 3186])
    }

    @Test func ggufTokenizerIsChosenByItsModelName() throws {
        #expect(try Self.gguf().tokenizer() is LlamaTokenizer)
        #expect(throws: ModelError.self) { try BPETokenizer(gguf: Self.gguf()) }
    }
}
