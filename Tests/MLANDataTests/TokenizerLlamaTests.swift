import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

@Suite struct TokenizerLlamaTests {
    enum Form: String, CaseIterable, Sendable { case model = "tokenizer.model", json = "tokenizer.json" }

    static func tokenizer(_ form: Form) throws -> LlamaTokenizer {
        switch form {
        case .model: try LlamaTokenizerFixtures.model()
        case .json: try LlamaTokenizerFixtures.json()
        }
    }

    @Test(arguments: Form.allCases)
    func everyStressLineEncodesIdForIdWithSentencePiece(form: Form) throws {
        let tokenizer = try Self.tokenizer(form)
        let lines = try LlamaTokenizerFixtures.stressLines()
        #expect(lines.count == 512)
        let mismatches = lines.filter { tokenizer.encode($0.value.text, addSpecialTokens: false) != $0.value.ids }
        #expect(mismatches.isEmpty, "\(mismatches.count) lines differ, first: \(mismatches.prefix(3).map(\.line))")
    }

    @Test(arguments: Form.allCases)
    func everyStressLineDecodesAsSentencePiece(form: Form) throws {
        let tokenizer = try Self.tokenizer(form)
        let mismatches = try LlamaTokenizerFixtures.stressLines().filter {
            tokenizer.decode($0.value.ids, skipSpecialTokens: true) != $0.value.decoded
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) lines differ, first: \(mismatches.prefix(3).map(\.line))")
    }

    @Test func piecesOfTheIdsAreSentencePiecesPieces() throws {
        let tokenizer = try LlamaTokenizerFixtures.model()
        for (line, value) in try LlamaTokenizerFixtures.stressLines().prefix(100) {
            #expect(value.ids.map { tokenizer.token($0) ?? "?" } == value.pieces, "line \(line)")
        }
    }

    @Test func bothFilesDescribeTheSameVocabulary() throws {
        let model = try LlamaTokenizerFixtures.model(), json = try LlamaTokenizerFixtures.json()
        #expect(model.vocabularySize == 32000 && json.vocabularySize == 32000)
        #expect((0..<32000).allSatisfy { model.token($0) == json.token($0) })
        #expect(model.bosTokenID == 1 && json.bosTokenID == 1 && model.eosTokenID == 2 && json.eosTokenID == 2)
        #expect(model.encode("Hello world", addSpecialTokens: true) == [1, 15043, 3186])
        #expect(json.encode("Hello world", addSpecialTokens: true) == [1, 15043, 3186])
    }

    @Test(arguments: Form.allCases)
    func controlPiecesAreTextInPlainEncodingAndTokensInMarkup(form: Form) throws {
        let tokenizer = try Self.tokenizer(form)
        #expect(tokenizer.encode("</s>", addSpecialTokens: false) == [1533, 29879, 29958])
        #expect(tokenizer.encode(markup: [("Hi</s>USER", false)]).ids == [6324, 2, 3148, 1001])
    }

    @Test(arguments: Form.allCases)
    func vicunaSegmentsGiveTheReferenceIdsAndSuperviseExactlyTheReplies(form: Form) throws {
        let tokenizer = try Self.tokenizer(form)
        let template = VicunaTemplate(system: "A chat between a curious human and an artificial intelligence "
            + "assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.")
        for (index, conversation) in try LlamaTokenizerFixtures.conversations().enumerated() {
            let generation = conversation.messages.last?.content == nil
            let turns = conversation.messages.compactMap { message in
                message.content.map { Turn(message.role == "USER" ? .user : .assistant, $0) }
            }
            #expect(template.render(turns, addGenerationPrompt: generation) == conversation.prompt, "conversation \(index)")
            let example = tokenizer.encode(template.segments(for: turns, addGenerationPrompt: generation),
                                           imagePlaceholder: -200, addBOS: true)
            #expect(example.ids == conversation.idsImageToken, "conversation \(index)")
            #expect([1] + tokenizer.encode(markup: [(conversation.prompt, false)]).ids == conversation.ids,
                    "conversation \(index): <image> as text")
            let replies = turns.filter { $0.role == .assistant }.map {
                tokenizer.encode($0.text, addSpecialTokens: false) + [2]
            }
            #expect(targetRuns(example) == replies, "conversation \(index)")
            #expect(tokenizer.encode(prompt: conversation.prompt, imagePlaceholder: -200, addBOS: true)
                    == conversation.idsImageToken, "conversation \(index)")
        }
    }

    @Test func llamaTwoSegmentsEqualTheWholePromptAndSuperviseReplies() throws {
        let tokenizer = try LlamaTokenizerFixtures.model()
        let turns = [Turn(.system, "Be brief."), Turn(.user, "Hi there"), Turn(.assistant, "Hello!"),
                     Turn(.user, "<image>\nWhat is it?"), Turn(.assistant, "A cat.")]
        let template = LlamaTwoTemplate()
        let example = tokenizer.encode(template.segments(for: turns, addGenerationPrompt: false),
                                       imagePlaceholder: -200, addBOS: true)
        #expect(example.ids == tokenizer.encode(prompt: template.render(turns), imagePlaceholder: -200, addBOS: true))
        #expect(targetRuns(example).map { tokenizer.decode($0, skipSpecialTokens: false) } == ["Hello! </s>", "A cat. </s>"])
        #expect(example.ids.filter { $0 == 1 }.count == 2, "BOS, then the <s> before the second [INST]")
    }

    @Test func addedTokensLikeImageAreMatchedWhole() throws {
        let folder = SharedPaths.fixture("llava-hf-bf16-sharded")
        let tokenizer = try LlamaTokenizer.load(from: folder.appendingPathComponent("tokenizer.json"))
        #expect(tokenizer.vocabularySize == 32002 && tokenizer.tokenID("<image>") == 32000)
        let reference = try FixtureTensors(contentsOf: folder.appendingPathComponent("ref.safetensors"))
        let (expected, _) = try reference.int64s("input_ids")
        let text = "USER: " + String(repeating: "<image>", count: 16) + "\nWhat is in the picture? ASSISTANT:"
        #expect(tokenizer.encode(text, addSpecialTokens: true) == expected)
        #expect(tokenizer.decode([32000, 450], skipSpecialTokens: true) == "The")
    }

    @Test func metaspacePreTokenizerSplitsWordsAndPrependsAlways() {
        let normalizer = SentencePieceNormalizer(steps: [.metaspace(replacement: "▁", prependScheme: .always, split: true)])
        let words = normalizer.words(" Hey  friend".unicodeScalars.map { ($0, false) }, isInputStart: true)
        #expect(words.map { String(String.UnicodeScalarView($0.map(\.scalar))) } == ["▁Hey", "▁", "▁friend"])
    }

    @Test func formIsRecognisedByContent() throws {
        let folder = LlamaTokenizerFixtures.folder
        #expect(try TokenizerFormat.detect(folder.appendingPathComponent("tokenizer.model")) == .sentencePieceModel)
        #expect(try TokenizerFormat.detect(folder.appendingPathComponent("tokenizer.json")) == .sentencePieceJSON)
        #expect(try TokenizerFormat.detect(folder.appendingPathComponent("ggml-vocab-llama-spm.gguf")) == .gguf)
        #expect(try TokenizerFormat.detect(SharedPaths.fixture("smollm2/tokenizer.json")) == .byteLevelJSON)
    }

    @Test func truncatedModelFileFailsNamingTheFile() throws {
        let bytes = try [UInt8](Data(contentsOf: LlamaTokenizerFixtures.folder.appendingPathComponent("tokenizer.model")))
        let error = #expect(throws: TokenizerError.self) {
            try SentencePieceVocabulary(modelProto: Array(bytes.prefix(1001)), file: "cut.model")
        }
        #expect(error?.description.hasPrefix("cut.model: ") == true)
    }

    @Test func unigramModelIsRejected() {
        // pieces { piece: "a" score: 0 }, trainer_spec { model_type: UNIGRAM }
        let proto: [UInt8] = [0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0, 0, 0, 0, 0x12, 0x02, 0x18, 0x01]
        #expect(throws: TokenizerError.unsupported(file: "u.model", field: "trainer_spec.model_type", type: "UNIGRAM")) {
            try SentencePieceVocabulary(modelProto: proto, file: "u.model")
        }
    }

    /// The ids of each maximal run of target tokens.
    func targetRuns(_ example: TokenizedExample) -> [[Int]] {
        var runs: [[Int]] = [], current: [Int] = []
        for (id, target) in zip(example.ids, example.isTarget) {
            if target { current.append(id) } else if !current.isEmpty { runs.append(current); current = [] }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}
