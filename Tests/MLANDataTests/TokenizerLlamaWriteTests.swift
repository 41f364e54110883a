import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

/// Llama's SentencePiece tokenizer written as a Hugging Face `tokenizer.json` and read back.
@Suite struct TokenizerLlamaWriteTests {
    enum Form: String, CaseIterable, Sendable { case model = "tokenizer.model", json = "tokenizer.json" }

    static func tokenizer(_ form: Form) throws -> LlamaTokenizer {
        switch form {
        case .model: try LlamaTokenizerFixtures.model()
        case .json: try LlamaTokenizerFixtures.json()
        }
    }

    /// Writes `tokenizer` into a fresh folder; returns the file.
    static func written(_ tokenizer: LlamaTokenizer) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-llama-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("tokenizer.json")
        try tokenizer.write(to: file)
        return file
    }

    static func jsonObject(_ url: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Merges as `[left, right]` pairs, from either of the two forms `tokenizer.json` has.
    static func merges(_ file: [String: Any]) throws -> [[String]] {
        let model = try #require(file["model"] as? [String: Any])
        let merges = try #require(model["merges"] as? [Any])
        return try merges.map { entry in
            if let pair = entry as? [String] { return pair }
            let line = try #require(entry as? String)
            return line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        }
    }

    @Test(arguments: Form.allCases)
    func writtenTokenizerEncodesAndDecodesEveryStressLineAsSentencePiece(form: Form) throws {
        let file = try Self.written(Self.tokenizer(form))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        #expect(try TokenizerFormat.detect(file) == .sentencePieceJSON)
        let reloaded = try LlamaTokenizer.load(from: file)
        let lines = try LlamaTokenizerFixtures.stressLines()
        #expect(lines.count == 512)
        let encodeMismatches = lines.filter { reloaded.encode($0.value.text, addSpecialTokens: false) != $0.value.ids }
        #expect(encodeMismatches.isEmpty, "encode differs on lines \(encodeMismatches.prefix(5).map(\.line))")
        let decodeMismatches = lines.filter { reloaded.decode($0.value.ids, skipSpecialTokens: true) != $0.value.decoded }
        #expect(decodeMismatches.isEmpty, "decode differs on lines \(decodeMismatches.prefix(5).map(\.line))")
        #expect(reloaded.encode("Hello world", addSpecialTokens: true) == [1, 15043, 3186])
        #expect(reloaded.decode([1, 15043, 3186, 2], skipSpecialTokens: false) == "<s> Hello world</s>")
        #expect(reloaded.vocabularySize == 32000 && reloaded.bosTokenID == 1 && reloaded.eosTokenID == 2)
    }

    @Test func writtenFileHasTransformersLlamaVocabularyMergesAndComponents() throws {
        let file = try Self.written(Self.tokenizer(.model))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let written = try Self.jsonObject(file)
        let reference = try Self.jsonObject(LlamaTokenizerFixtures.folder.appendingPathComponent("tokenizer.json"))
        let (writtenModel, referenceModel) = (try #require(written["model"] as? NSDictionary),
                                              try #require(reference["model"] as? NSDictionary))
        #expect(writtenModel["vocab"] as? NSDictionary == referenceModel["vocab"] as? NSDictionary)
        let (mine, theirs) = (try Self.merges(written), try Self.merges(reference))
        #expect(mine.count == theirs.count)
        let firstDifference = zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "merge \(firstDifference?.offset ?? -1): \(firstDifference.map { "\($0.element.0) vs \($0.element.1)" } ?? "")")
        for key in ["normalizer", "decoder", "added_tokens"] {
            #expect(written[key] as? NSObject == reference[key] as? NSObject, "\(key) differs")
        }
        for key in ["unk_token", "byte_fallback", "fuse_unk", "type"] {
            #expect(writtenModel[key] as? NSObject == referenceModel[key] as? NSObject, "model.\(key) differs")
        }
        let (post, referencePost) = (try #require(written["post_processor"] as? NSDictionary),
                                     try #require(reference["post_processor"] as? NSDictionary))
        #expect(post["single"] as? NSArray == referencePost["single"] as? NSArray)
    }

    @Test func addedImageTokenIsWrittenAndMatchedWholeAfterReloading() throws {
        let tokenizer = try Self.tokenizer(.model).addingSpecialTokens(["<image>"])
        #expect(tokenizer.tokenID("<image>") == 32000 && tokenizer.vocabularySize == 32001)
        let file = try Self.written(tokenizer)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let reloaded = try LlamaTokenizer.load(from: file)
        let text = "USER: <image>\nWhat is shown? ASSISTANT: A cat.</s>"
        #expect(reloaded.tokenID("<image>") == 32000)
        #expect(reloaded.encode(text, addSpecialTokens: true) == tokenizer.encode(text, addSpecialTokens: true))
        #expect(tokenizer.encode(text, addSpecialTokens: false).contains(32000))
        #expect(reloaded.decode(tokenizer.encode(text, addSpecialTokens: false), skipSpecialTokens: true)
                == tokenizer.decode(tokenizer.encode(text, addSpecialTokens: false), skipSpecialTokens: true))
    }

    @Test func collapsingWhitespaceCannotBeWrittenAndLeavesNoFile() throws {
        var vocabulary = try Self.tokenizer(.model).vocabulary
        vocabulary.removesExtraWhitespaces = true
        let tokenizer = try LlamaTokenizer(vocabulary: vocabulary)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-llama-write-\(UUID().uuidString)")
        let file = folder.appendingPathComponent("tokenizer.json")
        #expect { try tokenizer.write(to: file) } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("remove_extra_whitespaces")
        }
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }
}
