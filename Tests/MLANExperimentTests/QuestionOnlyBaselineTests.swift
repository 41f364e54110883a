import Foundation
import MLANData
import Testing
@testable import MLANExperiment

/// The question-only baseline answers from the question alone: the most frequent training answer to the same
/// question, scene and option order removed.
struct QuestionOnlyBaselineTests {
    static func record(_ prompt: String, _ reply: String, id: Int) -> InstructionRecord {
        InstructionRecord(id: "r\(id)", turns: [Turn(.user, prompt), Turn(.assistant, reply)],
                          location: RecordLocation(file: "records.json", index: id))
    }

    static func baseline(_ pairs: [(String, String)]) -> QuestionOnlyBaseline {
        QuestionOnlyBaseline(records: pairs.enumerated().map { record($0.element.0, $0.element.1, id: $0.offset) })
    }

    @Test func theSceneIsIgnoredAndTheMostFrequentAnswerWins() {
        let baseline = Self.baseline([
            ("Scene: first box: a bluecircle.\nIs there a blue circle in the scene?\n", "The best answer is \"yes\"."),
            ("Scene: first box: a redsquare.\nIs there a blue circle in the scene?\n", "The best answer is \"no\"."),
            ("<image>\nIs there a blue circle in the scene?\n", "The best answer is \"yes\"."),
            ("<image>\nStatement: every box contains a triangle. True or false?", "The answer is \"false\"."),
            ("<image>\nIs there a red square in the scene?\n", "The best answer is \"yes\"."),
        ])
        #expect(baseline.answer(to: "<image>\nIs there a blue circle in the scene?\n") == "yes")
        #expect(baseline.answer(to: "Scene: anything at all.\nIs there a blue circle in the scene?\n") == "yes")
        // true/false count as yes/no, as the evaluation's filters map them.
        #expect(baseline.answer(to: "Statement: every box contains a triangle. True or false?") == "no")
        // A question never asked gets the most frequent answer overall (yes three times, no twice).
        #expect(baseline.answer(to: "Is there a green star in the scene?\n") == "yes")
    }

    @Test func withLetteredOptionsItNamesTheLetterOfTheOfferedAnswerMostOftenGiven() {
        let baseline = Self.baseline([
            ("Question: What colour is the circle? Choose the best option from below:\nA: blue\nB: black\n", "blue"),
            ("Question: What colour is the circle? Choose the best option from below:\nA: black\nB: blue\n", "blue"),
            ("Question: What colour is the circle? Choose the best option from below:\nA: yellow\nB: black\n", "yellow"),
        ])
        let asked = "Context: x.\nQuestion: What colour is the circle? Choose the best option from below:\nA: yellow\nB: black\nC: blue\n"
        #expect(baseline.answer(to: asked) == "C")
        // Only offered options count: without blue, yellow (given once) beats black (never given).
        #expect(baseline.answer(to: "Question: What colour is the circle? Choose the best option from below:\nA: black\nB: yellow\n") == "B")
    }

    @Test func tiesGoToTheAlphabeticallyFirstAnswerSoEveryRunAgrees() {
        let baseline = Self.baseline([("How many?", "3"), ("How many?", "2"), ("How many?", "4"), ("How many?", "2"), ("How many?", "3")])
        #expect(baseline.answer(to: "How many?") == "2")
        #expect(QuestionOnlyBaseline(records: []).answer(to: "How many?") == "")
    }

    @Test func aBadRecordFileIsAnErrorNamingIt() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qo-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("[{\"id\": \"a\", \"conversations\": [{\"from\": \"human\"}]}]".utf8).write(to: url)
        #expect { try QuestionOnlyBaseline(files: [url]) } throws: { "\($0)".contains(url.lastPathComponent) }
    }
}
