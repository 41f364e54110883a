import Foundation
import MLANTestSupport
import Testing

/// `mpirun -np 2 mlan eval`: the two ranks share the documents, and rank 0 writes the results JSON and sample
/// logs one process writes, byte for byte.
@Suite(.serialized) struct ShardedEvalTests {
    @Test(.enabled(if: MPIRun.enabled, Comment(rawValue: MPIRun.skipReason)),
          arguments: [("lm-eval", "arc_easy"), ("mlan", "arc_easy")])
    func twoRanksWriteTheResultsOfOneProcess(protocolName: String, task: String) throws {
        let mlan = try #require(ProcessRun.builtExecutable("mlan"), "build with --build-tests, which builds mlan")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-sharded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func arguments(_ name: String) throws -> [String] {
            ["eval", "--model", try SharedPaths.smolLM2().path, "--tasks", task, "--protocol", protocolName,
             "--limit", "5", "--batch-size", "2", "--output", folder.appendingPathComponent("\(name).json").path,
             "--log-samples", folder.appendingPathComponent("\(name)-samples").path]
        }
        let shared = ["MLAN_SHARED": SharedPaths.shared.path]
        let alone = try MPIRun.runAlone(mlan, try arguments("alone"), environment: shared)
        #expect(alone.status == 0, "\(alone.stderr)")
        let ranks = try MPIRun.run(ranks: 2, mlan, try arguments("ranks"), environment: shared)
        #expect(ranks.status == 0, "\(ranks.stderr)")
        let results = try ["alone", "ranks"].map { try Data(contentsOf: folder.appendingPathComponent("\($0).json")) }
        #expect(results[0] == results[1])
        let samples = try ["alone", "ranks"].map {
            try Data(contentsOf: folder.appendingPathComponent("\($0)-samples/samples_\(task).jsonl"))
        }
        #expect(samples[0] == samples[1] && !samples[0].isEmpty)
        #expect(ranks.stdout == alone.stdout, "rank 0 alone prints the table")
    }
}
