import Foundation
import Testing
@testable import MLANData

@Suite struct MicroWorldTokenizerTests {
    @Test func aSmallBPETrainedOnTheCorpusEncodesEveryInstructionLosslessly() throws {
        let root = MicroWorldWriteTests.temporaryFolder("bpe")
        defer { try? FileManager.default.removeItem(at: root) }
        let counts = MicroWorldCounts(captions: 20, corpusScenes: 400, trainPerCluster: 40, evalPerCluster: 20)
        let manifest = try MicroWorld(seed: 42).write(to: root, counts: counts)
        let tokenizer = try BPETrainer(vocabularySize: 512, specialTokens: ["<unk>", "<s>", "</s>", "<image>"])
            .train(files: [root.appendingPathComponent(manifest.corpus)])
        // The corpus's words are few: every one becomes a single token before the 512 budget is spent.
        #expect(tokenizer.vocabularySize > 300 && tokenizer.vocabularySize <= 512)
        for word in ["triangle", "yellow", "medium", "second"] {
            #expect(tokenizer.encode(" " + word, addSpecialTokens: false).count == 1, "\(word)")
        }
        #expect(tokenizer.unencodableBytes.isEmpty)

        let template = try BuiltinTemplates.named("v1")
        let imageID = try #require(tokenizer.tokenID("<image>"))
        var characters = 0, tokens = 0
        let files = manifest.files.map(\.path) + [manifest.captions, try #require(manifest.instructions)]
        for path in files {
            // Generic instructions talk about other things than scenes: round trips only, no packing claim.
            let sceneText = !path.contains("generic") && path != manifest.instructions
            for record in try InstructionDataset.load(from: root.appendingPathComponent(path)).records {
                for turn in record.turns {
                    let ids = tokenizer.encode(turn.text, addSpecialTokens: false)
                    #expect(tokenizer.decode(ids, skipSpecialTokens: false) == turn.text, "\(record.id)")
                    #expect(ids.filter { $0 == imageID }.count == record.imageTokenCount * (turn.role == .user ? 1 : 0))
                    if sceneText {
                        characters += turn.text.count
                        tokens += ids.count
                    }
                }
                let example = tokenizer.encode(template.segments(for: record.turns, addGenerationPrompt: false),
                                               imagePlaceholder: imageID, addBOS: false)
                #expect(example.isTarget.contains(true), "\(record.id) has no supervised token")
                #expect(example.ids.filter { $0 == imageID }.count == record.images.count)
            }
        }
        // The scene texts are formulaic: a 512-token vocabulary packs several characters into each token.
        #expect(Double(characters) / Double(tokens) > 3.0, "\(characters) characters in \(tokens) tokens")
    }
}
