import Foundation
import MLANData
import MLANTestSupport
import Testing
@testable import MLANExperiment

/// The real instruction sets of the SmolLM2 experiment's mixtures, read from `../shared/data`.
@Suite struct LanguageInstructionSetsTests {
    typealias Source = SmolLM2ExperimentConfig.LanguageSource

    @Test func readsAlpacaLimaAndTheSelfInstructSeeds() throws {
        let alpaca = try LanguageInstructionSets.load(
            Source(file: "alpaca/alpaca_small.json", dataset: "alpaca", taskCluster: "general_instruction", limit: nil),
            dataDirectory: SharedPaths.data)
        #expect(alpaca.records.count == 2000 && alpaca.taskCluster == "general_instruction")
        let lima = try LanguageInstructionSets.load(
            Source(file: "lima/lima.json", dataset: "lima", taskCluster: "general_instruction", limit: 10),
            dataDirectory: SharedPaths.data)
        #expect(lima.records.count == 10)
        let seeds = try LanguageInstructionSets.load(
            Source(file: "alpaca/seed_tasks.jsonl", dataset: "seed", taskCluster: "general_instruction", limit: nil),
            dataDirectory: SharedPaths.data)
        #expect(seeds.records.count == 175)
        let first = try #require(seeds.records.first)
        #expect(first.id == "seed_task_0" && first.turns.map(\.role) == [.user, .assistant] && !first.isMultimodal)
        #expect(first.turns[0].text.hasPrefix("Is there anything I can eat for a breakfast"))
        #expect(seeds.records.allSatisfy { !$0.turns[1].text.isEmpty })
    }

    @Test func aBrokenSeedFileNamesTheLineAndField() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("seeds.jsonl")
        try Data(#"""
        {"id": "a", "instruction": "Say hi.", "instances": [{"input": "", "output": "Hi."}]}
        {"id": "b", "instruction": "Say bye.", "instances": [{"input": ""}]}
        """#.utf8).write(to: file)
        #expect { try LanguageInstructionSets.load(Source(file: file.path, dataset: "s", taskCluster: "c", limit: nil),
                                                   dataDirectory: folder) }
            throws: { "\($0)".contains("\(file.path): line 2: instances[0].output") }
        #expect { try LanguageInstructionSets.load(Source(file: "missing.json", dataset: "s", taskCluster: "c", limit: nil),
                                                   dataDirectory: folder) }
            throws: { "\($0)".contains(folder.appendingPathComponent("missing.json").path) }
    }
}
