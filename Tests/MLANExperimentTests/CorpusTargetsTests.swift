import Foundation
import Testing
import MLANData
@testable import MLANExperiment

/// Stage 0 may leave a corpus line's opening scene description out of the targets; the rest of the line, and every
/// caption, stays a target.
struct CorpusTargetsTests {
    static let world = MicroWorld(seed: 9, objectWords: .compound)

    @Test func theDescriptionEndsAfterTheThirdBoxAndOnlyLinesThatOpenWithOneHaveIt() throws {
        let lines = Self.world.corpus(scenes: 6)
        for (index, line) in lines.enumerated() {
            let end = CorpusGenerator.sceneDescriptionEnd(in: Substring(line))
            if index % 3 == 2 {
                #expect(end == nil, "a caption has no description to leave out: \(line)")
            } else {
                let end = try #require(end, "line \(index)")
                #expect(line[..<end].hasSuffix(".") && line[..<end].contains("third box: "))
                #expect(line[end...].hasPrefix(index % 3 == 0 ? " there " : " question: "), "\(line[end...])")
            }
        }
        #expect(CorpusGenerator.sceneDescriptionEnd(in: "first box: a largebluecircle. second box: nothing.") == nil)
    }

    @Test func afterDescriptionTargetsExactlyWhatFollowsTheDescription() throws {
        let lines = Self.world.corpus(scenes: 4)
        let tokenizer = try BPETrainer(vocabularySize: 400, specialTokens: ["</s>"]).train(texts: lines)
        let eos = try #require(tokenizer.tokenID("</s>"))
        for line in lines.map({ Substring($0) }) {
            let all = try #require(MicroExperiment.corpusTokens(line, tokenizer: tokenizer, eos: eos, targets: .all))
            let after = try #require(MicroExperiment.corpusTokens(line, tokenizer: tokenizer, eos: eos,
                                                                  targets: .afterDescription))
            #expect(all.ids == after.ids && all.isTarget == all.ids.indices.map { $0 > 0 })
            let targets = zip(after.ids, after.isTarget).filter(\.1).map(\.0)
            let expected = CorpusGenerator.sceneDescriptionEnd(in: line).map { String(line[$0...]) }
                ?? String(line.dropFirst(tokenizer.decode([after.ids[0]], skipSpecialTokens: false).count))
            #expect(tokenizer.decode(targets, skipSpecialTokens: true) == expected, "\(line)")
            #expect(after.isTarget.last == true)
        }
    }

    @Test func answersTargetOnlyTheReadingLinesAnswersDropFactsAndKeepCaptions() throws {
        let world = MicroWorld(seed: 9, corpusQuestions: 3, objectWords: .compound)
        let lines = world.corpus(scenes: 5)
        let tokenizer = try BPETrainer(vocabularySize: 400, specialTokens: ["</s>"]).train(texts: lines)
        let eos = try #require(tokenizer.tokenID("</s>"))
        for (index, line) in lines.map({ Substring($0) }).enumerated() {
            let tokens = MicroExperiment.corpusTokens(line, tokenizer: tokenizer, eos: eos, targets: .answers)
            if index % 3 == 0 {
                #expect(tokens == nil, "a fact line is left out: \(line)")
                continue
            }
            if index % 3 == 2 {
                let caption = try #require(tokens)
                #expect(caption == MicroExperiment.corpusTokens(line, tokenizer: tokenizer, eos: eos, targets: .all),
                        "a caption stays a target throughout")
                continue
            }
            let example = try #require(tokens)
            let all = try #require(MicroExperiment.corpusTokens(line, tokenizer: tokenizer, eos: eos, targets: .all))
            #expect(example.ids == all.ids, "the same tokens as the whole line")
            let answers = line.components(separatedBy: " answer: ").dropFirst()
                .map { $0.components(separatedBy: " question: ")[0] }
            #expect(answers.count == 3)
            let targets = zip(example.ids, example.isTarget).filter(\.1).map(\.0)
            #expect(tokenizer.decode(targets, skipSpecialTokens: true) == answers.map { " " + $0 }.joined(), "\(line)")
            #expect(example.isTarget.last == true && targets.last == eos)
        }
    }
}
