import Foundation
import Testing
@testable import MLANData

/// Stage 0's lookup warm-up: scene descriptions followed by attribute questions, each answered from the scene.
struct MicroWorldLookupTests {
    static let world = MicroWorld(seed: 11, scenes: SceneGenerator(objectsPerBox: 1...2), corpusQuestions: 3)
    static let kinds = ["size": ["small", "medium", "large"], "colour": ["black", "blue", "yellow"],
                        "shape": ["square", "circle", "triangle"]]

    /// The answer an independent reader gives: the one object of the description holding every attribute word the
    /// question names, and its word of the asked kind; nil when no single object matches.
    static func answer(_ question: String, description: String) -> String? {
        let objects = description.components(separatedBy: " a ").dropFirst().map {
            Set($0.split(whereSeparator: { !$0.isLetter }).map(String.init))
        }
        let words = question.split(whereSeparator: { !$0.isLetter }).map(String.init)
        guard let asked = kinds.keys.first(where: { words.contains($0) }) else { return nil }
        let named = words.filter { word in kinds.values.contains { $0.contains(word) } }
        let matches = objects.filter { Set(named).isSubset(of: $0) }
        guard matches.count == 1 else { return nil }
        return kinds[asked]?.first { matches[0].contains($0) }
    }

    @Test func lookupLinesAskOnlyAttributeQuestionsEachAnsweredFromTheScene() throws {
        let lines = Self.world.lookups(scenes: 60)
        #expect(lines.count == 60 && Set(lines).count > 55)
        #expect(lines == Self.world.lookups(scenes: 60))
        for line in lines {
            let end = try #require(CorpusGenerator.sceneDescriptionEnd(in: line[...]), "\(line)")
            let description = String(line[..<end])
            let pairs = line[end...].components(separatedBy: " question: ").dropFirst()
            #expect(pairs.count == 3, "\(line)")
            for pair in pairs {
                let parts = pair.components(separatedBy: " answer: ")
                #expect(parts.count == 2 && parts[0].hasPrefix("What "), "\(pair)")
                #expect(Self.answer(parts[0], description: description) == parts.last, "\(line)")
            }
        }
        // The key can fail: a wrong answer is caught.
        #expect(Self.answer("What colour is the circle?", description: "first box: a small blue circle. second box: "
            + "a large black square. third box: a small yellow triangle.") != "black")
    }

    @Test func theLookupFileIsWrittenOnlyWhenAskedFor() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lookups-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var world = Self.world
        let without = try world.write(to: root.appendingPathComponent("a"), counts: .tiny)
        #expect(without.lookups == nil)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("a/\(MicroWorld.lookupsFile)").path))
        world.lookupScenes = 9
        let with = try world.write(to: root.appendingPathComponent("b"), counts: .tiny)
        #expect(with.lookups == MicroWorld.lookupsFile)
        let text = try String(contentsOf: root.appendingPathComponent("b/\(MicroWorld.lookupsFile)"), encoding: .utf8)
        #expect(text == world.lookups(scenes: 9).joined(separator: "\n") + "\n")
        let reloaded = try MicroWorldManifest.load(from: root.appendingPathComponent("b/\(MicroWorldManifest.fileName)"))
        #expect(reloaded.lookups == MicroWorld.lookupsFile)
    }
}
