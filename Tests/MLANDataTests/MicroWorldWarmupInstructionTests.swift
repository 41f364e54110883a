import Foundation
import Testing
@testable import MLANData

/// Stage 0's warm-up instructions: generic instructions on a stream of their own, written only when asked for.
struct MicroWorldWarmupInstructionTests {
    static let world = MicroWorld(seed: 11, scenes: SceneGenerator(objectsPerBox: 1...2))

    @Test func warmupInstructionsAreGenericFormatsInTurnOnTheirOwnStream() {
        let records = Self.world.warmupInstructionRecords(count: 50)
        #expect(records.map(\.id) == (0..<50).map { "warmup-" + String(repeating: "0", count: 5 - String($0).count) + String($0) })
        #expect(records.allSatisfy { $0.location.file == MicroWorld.warmupInstructionsFile && $0.images.isEmpty })
        #expect(records.map(\.turns) == Self.world.warmupInstructionRecords(count: 50).map(\.turns))
        // Not the stage-0 instructions under another name: a different stream.
        let pretrain = Self.world.pretrainInstructions(count: 50)
        #expect(Set(records.map { $0.turns[0].text }).intersection(pretrain.map { $0.turns[0].text }).count < 10)
        for record in records {
            #expect(!MicroPrompt.containsHeldOutInstruction(record.turns[0].text), "\(record.id)")
        }
        // Formats in turn: every fifth record asks for a letter (its options are lettered).
        #expect(records.enumerated().filter { $0.offset % 5 == 1 }.allSatisfy { $0.element.turns[0].text.contains("\nA: ") })
    }

    @Test func theWarmupInstructionFileIsWrittenOnlyWhenAskedFor() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("warmup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var world = Self.world
        let without = try world.write(to: root.appendingPathComponent("a"), counts: .tiny)
        #expect(without.warmupInstructions == nil)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("a/\(MicroWorld.warmupInstructionsFile)").path))
        world.warmupInstructions = 7
        let with = try world.write(to: root.appendingPathComponent("b"), counts: .tiny)
        #expect(with.warmupInstructions == MicroWorld.warmupInstructionsFile)
        let written = try InstructionDataset.load(from: root.appendingPathComponent("b/\(MicroWorld.warmupInstructionsFile)"))
        #expect(written.records.map(\.turns) == world.warmupInstructionRecords(count: 7).map(\.turns))
        let reloaded = try MicroWorldManifest.load(from: root.appendingPathComponent("b/\(MicroWorldManifest.fileName)"))
        #expect(reloaded.warmupInstructions == MicroWorld.warmupInstructionsFile)
    }
}
