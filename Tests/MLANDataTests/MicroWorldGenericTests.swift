import Foundation
import Testing
@testable import MLANData

/// Generic instructions: every answer format, several phrasings, never a held-out instruction, answers that
/// are right; and the world's task files for `mlan eval --task-file`.
struct MicroWorldGenericTests {
    static let world = MicroWorld(seed: 11)

    @Test(arguments: GenericInstruction.formats)
    func genericInstructionsOfAFormatUseItsPhrasingsAndAnswers(format: MicroAnswerFormat) {
        let records = Self.world.genericInstructions(format, count: 1000)
        #expect(records.count == 1000 && Set(records.map(\.id)).count == 1000)
        let phrasings = GenericInstruction.phrasings[format] ?? []
        #expect(phrasings.count >= 20 && Set(phrasings).count == phrasings.count)
        var usedPhrasings = Set<String>(), replies = Set<String>()
        for record in records {
            let prompt = record.turns[0].text, reply = record.turns[1].text
            #expect(!MicroPrompt.containsHeldOutInstruction(prompt) && !prompt.contains("<image>") && record.images.isEmpty)
            usedPhrasings.formUnion(phrasings.filter { prompt.contains($0) })
            replies.insert(reply)
            let answer = reply.hasSuffix("\".") ? String(reply.split(separator: "\"")[1]) : reply
            switch format {
            case .yesNo: #expect(["yes", "no"].contains(answer))
            case .trueFalse: #expect(["true", "false"].contains(answer))
            case .number: #expect(Int(answer) != nil)
            case .letter: #expect(prompt.contains("\n\(answer): "))
            case .word: #expect(!answer.isEmpty && answer.allSatisfy(\.isLetter))
            }
        }
        #expect(usedPhrasings.count == phrasings.count)
        #expect(replies.contains { $0.hasPrefix("The answer is \"") } && replies.contains { !$0.contains("\"") })
    }

    @Test func phrasingsThatSpellAHeldOutInstructionAreLeftOut() {
        #expect(MicroPrompt.containsHeldOutInstruction("Please answer true or false."))
        #expect(MicroPrompt.containsHeldOutInstruction("please answer with yes or no!"))
        #expect(!MicroPrompt.containsHeldOutInstruction("Please respond with one word, true/false."))
        let requests = GenericInstruction.requests.values.flatMap { $0 }
        #expect(!requests.contains { MicroPrompt.containsHeldOutInstruction($0) })
        #expect(GenericInstruction.phrasings.values.allSatisfy { !$0.contains { MicroPrompt.containsHeldOutInstruction($0) } })
    }

    @Test func genericAnswersAreCorrect() {
        var rng = SplitMix64(seed: 3)
        var listClaims = [0, 0]  // "Does the list … contain …?", "Is there a … in the list …?"
        for _ in 0..<300 {
            let item = GenericInstruction.make(.number, using: &rng)
            if let range = item.prompt.range(of: "What is "), item.prompt.contains(" plus ") {
                let rest = item.prompt[range.upperBound...].prefix { $0 != "?" }.split(separator: " ")
                #expect(Int(rest[0])! + Int(rest[2])! == Int(item.answer)!)
            }
            let claim = GenericInstruction.make(.yesNo, using: &rng)
            if claim.prompt.contains(" greater than ") {
                let numbers = claim.prompt.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                #expect((numbers[0] > numbers[1]) == (claim.answer == "yes"), "\(claim.prompt)")
            }
            if let line = claim.prompt.split(separator: "\n").first(where: { $0.contains(" list \"") }) {
                let parts = line.split(separator: "\"", omittingEmptySubsequences: false).map(String.init)
                let (list, asked) = line.hasPrefix("Is there a") ? (parts[3], parts[1]) : (parts[1], parts[3])
                #expect(list.components(separatedBy: ", ").contains(asked) == (claim.answer == "yes"), "\(claim.prompt)")
                listClaims[line.hasPrefix("Is there a") ? 1 : 0] += 1
            }
        }
        #expect(listClaims.allSatisfy { $0 > 5 }, "both phrasings of a list lookup occur")
    }

    @Test func theWorldWritesGenericFilesPretrainingInstructionsAndTaskFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-generic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try Self.world.write(to: folder, counts: .tiny)
        let generic = manifest.trainingFiles.filter { $0.taskCluster.hasPrefix("generic_") }
        #expect(generic.map(\.taskCluster) == GenericInstruction.formats.map(GenericInstruction.clusterName))
        #expect(generic.allSatisfy { $0.modality == "language" && $0.records == MicroWorldCounts.tiny.trainPerCluster })
        let pretrain = try InstructionDataset.load(from: folder.appendingPathComponent(try #require(manifest.instructions)))
        #expect(pretrain.records.count == MicroWorldCounts.tiny.corpusScenes)
        for file in manifest.evaluationFiles {
            let definition = try #require(file.taskDefinition)
            let json = try JSONValue.parse(Array(try Data(contentsOf: folder.appendingPathComponent(definition))))
            #expect(json["task"]?.stringValue == "micro_\(file.name)" && json["task_cluster"]?.stringValue == file.taskCluster)
            #expect(json["protocol"]?.stringValue == "mlan")
            let documents = try String(contentsOf: folder.appendingPathComponent(String(definition.dropLast(5)) + ".jsonl"), encoding: .utf8)
            #expect(documents.split(separator: "\n").count == file.records)
        }
    }
}
