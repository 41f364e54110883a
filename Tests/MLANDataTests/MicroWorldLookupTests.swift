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

    /// A warm-up line's opening description and its question-and-answer pairs.
    static func split(_ line: String) throws -> (description: String, pairs: [(String, String)]) {
        let end = try #require(CorpusGenerator.sceneDescriptionEnd(in: line[...]), "\(line)")
        let pairs = try line[end...].components(separatedBy: " question: ").dropFirst().map { pair in
            let parts = pair.components(separatedBy: " answer: ")
            try #require(parts.count == 2, "\(pair)")
            return (parts[0], parts[1])
        }
        return (String(line[..<end]), pairs)
    }

    @Test func lookupLinesAskOnlyAttributeQuestionsEachAnsweredFromTheScene() throws {
        let lines = Self.world.lookups(scenes: 60)
        #expect(lines.count == 60 && Set(lines).count > 55)
        #expect(lines == Self.world.lookups(scenes: 60))
        for line in lines {
            let (description, pairs) = try Self.split(line)
            #expect(pairs.count == 3, "\(line)")
            for (question, answer) in pairs {
                #expect(question.hasPrefix("What ") && Self.answer(question, description: description) == answer, "\(line)")
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

/// Stage 0's judgement warm-up: yes/no and true/false questions about a scene, verdict last, each verdict right.
struct MicroWorldJudgementTests {
    static let world = MicroWorld(seed: 12, scenes: SceneGenerator(objectsPerBox: 1...2), corpusQuestions: 4)

    /// An independent reading of the description: the objects of each box as sets of their words.
    static func boxes(_ description: String) -> [[Set<String>]] {
        description.components(separatedBy: " box: ").dropFirst().map { box in
            box.components(separatedBy: " a ").map { Set($0.split(whereSeparator: { !$0.isLetter }).map(String.init)) }
                .filter { words in ["square", "circle", "triangle"].contains { words.contains($0) } }
        }
    }

    /// The verdict an independent reader gives, or nil for a question it does not know.
    static func verdict(_ question: String, description: String) -> String? {
        let words = question.split(whereSeparator: { !$0.isLetter }).map(String.init)
        let attributes = words.filter { ["small", "medium", "large", "black", "blue", "yellow", "square", "circle",
                                         "triangle"].contains($0) }
        let boxes = boxes(description)
        let has = { (box: [Set<String>]) in box.contains { Set(attributes).isSubset(of: $0) } }
        if question.hasPrefix("Is it true that there is ") { return boxes.contains(where: has) ? "true" : "false" }
        if question.hasPrefix("Does every box contain ") { return boxes.allSatisfy(has) ? "yes" : "no" }
        guard question.hasPrefix("Does the "), let box = ["first", "second", "third"].firstIndex(of: words[2]) else {
            return nil
        }
        return has(boxes[box]) ? "yes" : "no"
    }

    @Test func judgementLinesAreBalancedAndEachVerdictIsRight() throws {
        let lines = Self.world.judgements(scenes: 80)
        #expect(lines == Self.world.judgements(scenes: 80) && Set(lines).count == 80)
        var verdicts: [String: Int] = [:]
        for line in lines {
            let (description, pairs) = try MicroWorldLookupTests.split(line)
            #expect(pairs.count == 4, "\(line)")
            for (question, answer) in pairs {
                // No held-out instruction, and not existence's question (`Is there a yellow circle in the scene?`).
                #expect(!MicroPrompt.containsHeldOutInstruction(question), "\(question)")
                #expect(!question.hasPrefix("Is there") && !question.hasSuffix("in the scene?"), "\(question)")
                #expect(Self.verdict(question, description: description) == answer, "\(line)")
                verdicts[answer, default: 0] += 1
            }
        }
        // Presence is judged true or false, a box's contents yes or no; each verdict about as often as its opposite.
        #expect(Set(verdicts.keys) == ["true", "false", "yes", "no"])
        let truths = verdicts["true", default: 0] + verdicts["yes", default: 0]
        #expect(abs(Double(truths) / Double(lines.count * 4) - 0.5) < 0.1, "\(verdicts)")
        // The reader tells one box from another, so a verdict about the wrong box would be caught.
        #expect(Self.verdict("Does the second box contain a blue circle?", description: "first box: a small blue circle. "
            + "second box: a large black square. third box: a small yellow triangle.") == "no")
    }

    @Test func judgementsFollowTheLookupsInTheWarmUpFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("judgements-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var world = Self.world
        world.judgementScenes = 7
        let judgementsOnly = try world.write(to: root.appendingPathComponent("a"), counts: .tiny)
        #expect(judgementsOnly.lookups == MicroWorld.lookupsFile)
        world.lookupScenes = 5
        _ = try world.write(to: root.appendingPathComponent("b"), counts: .tiny)
        let text = try String(contentsOf: root.appendingPathComponent("b/\(MicroWorld.lookupsFile)"), encoding: .utf8)
        #expect(text == (world.lookups(scenes: 5) + world.judgements(scenes: 7)).joined(separator: "\n") + "\n")
    }
}
