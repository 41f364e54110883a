import Foundation
import Testing
@testable import MLANData

/// The positive control's files: held-out clusters' training examples, written only when asked for, on streams of
/// their own, leaving every other file of the world unchanged.
struct MicroWorldControlTests {
    static let world = MicroWorld(seed: 5, scenes: SceneGenerator(objectsPerBox: 1...2))

    @Test func controlFilesHoldEveryHeldOutClusterAndLeaveTheRestOfTheWorldUnchanged() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("control-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var world = Self.world
        let plain = try world.write(to: root.appendingPathComponent("a"), counts: .tiny)
        #expect(plain.controlFiles.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("a/control").path))
        world.controlPerCluster = 5
        let controlled = try world.write(to: root.appendingPathComponent("b"), counts: .tiny)

        let files = controlled.controlFiles
        #expect(files.map(\.name) == MicroTaskCluster.heldOut.flatMap { c in ["\(c.rawValue)_language", "\(c.rawValue)_vision"] })
        #expect(files.allSatisfy { $0.heldOut && $0.records == 5 && $0.split == "control" })
        // Control files never enter the training files; every other file is byte for byte the same.
        #expect(controlled.trainingFiles == plain.trainingFiles && controlled.evaluationFiles == plain.evaluationFiles)
        for file in plain.files.map(\.path) + [MicroWorld.corpusFile, MicroWorld.pretrainInstructionsFile] {
            let a = try Data(contentsOf: root.appendingPathComponent("a/\(file)"))
            #expect(a == (try Data(contentsOf: root.appendingPathComponent("b/\(file)"))), "\(file)")
        }
        // Read as mixture sources under the evaluation files' dataset names, so an evaluator sees them as trained.
        let sources = try controlled.controlSources(in: root.appendingPathComponent("b"), modality: .vision)
        #expect(sources.map(\.dataset) == MicroTaskCluster.heldOut.map { MicroWorld.datasetName($0, modality: .vision) })
        for source in sources {
            for record in source.records {
                #expect(record.id.hasPrefix("control-") && record.images.count == 1)
                // Replies as the evaluation reads them: its prefill, the answer, the closing quote.
                let reply = record.turns[1].text
                #expect(reply.hasPrefix(record.id.contains("existence") ? MicroWorld.yesNoPrefill : MicroWorld.choicePrefill)
                        && reply.hasSuffix("\"."), "\(reply)")
                // A multiple-choice reply names its option's text, never a bare letter.
                if record.id.contains("multiple_choice") { #expect(!reply.contains("\"A\"") && !reply.contains("\"B\"")) }
                #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("b/\(record.images[0])").path))
            }
        }
        // A multiple-choice reply is the text of the option whose letter the example answers; the others keep the answer.
        for example in world.controlExamples(.multipleChoice, modality: .language, count: 20) {
            guard case .choice(_, let options) = example.query,
                  let index = SceneQuery.optionLetters.firstIndex(of: example.answer) else {
                Issue.record("\(example.id) is not a lettered choice"); continue
            }
            #expect(MicroWorld.controlReply(example) == MicroWorld.choicePrefill + options[index] + "\".")
        }
        let existence = world.controlExamples(.existence, modality: .language, count: 1)[0]
        #expect(MicroWorld.controlReply(existence) == MicroWorld.yesNoPrefill + existence.answer + "\".")
        // Their own streams: not the evaluation questions.
        for cluster in MicroTaskCluster.heldOut {
            let control = Set(world.controlExamples(cluster, modality: .language, count: 20).map(\.prompt))
            let eval = Set(world.examples(cluster, modality: .language, split: .eval, count: 20).map(\.prompt))
            #expect(control.intersection(eval).count < 3, "\(cluster)")
        }
    }
}
