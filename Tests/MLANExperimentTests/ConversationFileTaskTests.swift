import Foundation
import MLANData
import MLANEval
import Testing

/// `ConversationFileTask` over a LLaVA file: the first user turn is asked, the first assistant turn is the
/// target, and the first line of the reply is compared ignoring case and punctuation.
struct ConversationFileTaskTests {
    static func task(_ cluster: MicroTaskCluster, _ modality: MicroModality) throws -> ConversationFileTask {
        let folder = try TinyWorld.written.get().folder
        return ConversationFileTask(name: "t", file: folder.appendingPathComponent(MicroWorld.taskFilePath(cluster, modality: modality, split: .eval)),
                                    imageRoot: folder, dataset: "d", taskCluster: cluster.rawValue,
                                    modality: modality == .vision ? .vision : .language)
    }

    @Test func theFirstUserTurnIsAskedWithItsImageAndTheAssistantTurnIsTheTarget() throws {
        let task = try Self.task(.counting, .vision)
        let documents = try task.documents()
        #expect(documents.count == TinyWorld.counts.evalPerCluster)
        let instance = try task.instance(for: documents[0], index: 0)
        guard case .generation(let request, _, let targets, _) = instance.kind else {
            Issue.record("not a generation instance")
            return
        }
        #expect(targets == [documents[0].turns[1].text])
        #expect(request.prompt.images.count == 1 && FileManager.default.fileExists(atPath: request.prompt.images[0].path))
        #expect(request.prompt.transcript.hasPrefix("user: <image>\n"))
    }

    @Test func scoringTakesTheFirstLineAndIgnoresCase() throws {
        let task = try Self.task(.attribute, .language)
        let answers = Dictionary(try task.documents().map { ($0.turns[0].text, $0.turns[1].text) }, uniquingKeysWith: { a, _ in a })
        let right = FakeScorer(generate: { request in
            guard case .conversation(let turns) = request.prompt.content else { return "" }
            return (answers[turns[0].text] ?? "").uppercased() + "\nand more"
        })
        let perfect = try EvalRunner(scorer: right, options: EvalOptions(limit: .count(8)), progress: ProgressReporter(mode: .silent)).run([task])
        #expect(perfect.tasks[0].primary?.value == 1)
        let wrong = FakeScorer(generate: { _ in "purple" })
        let none = try EvalRunner(scorer: wrong, options: EvalOptions(limit: .count(8)), progress: ProgressReporter(mode: .silent)).run([task])
        #expect(none.tasks[0].primary?.value == 0)
    }

    @Test func aRecordWithoutAnAssistantTurnIsAnErrorNamingTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conv-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"[{"id": "x", "conversations": [{"from": "human", "value": "hi"}]}]"#.utf8).write(to: url)
        let task = ConversationFileTask(name: "t", file: url, dataset: "d", taskCluster: "c", modality: .language)
        do {
            let documents = try task.documents()
            _ = try task.instance(for: documents[0], index: 0)
            Issue.record("accepted a record without an answer")
        } catch {
            #expect(String(describing: error).contains(url.lastPathComponent))
        }
    }
}
