import Foundation
import Testing
@testable import MLANData

/// Generic conjunction lookups: the list and questions read back from the text alone give every answer, the two
/// naming words find exactly one thing (and the first question's words alone do not), the same seed gives the
/// same conversations, and the world writes them into the stage-0 instruction file.
struct MicroWorldConjunctionTests {
    /// The things of a first user turn, `List: a big red cat, a tiny green dog.` → `[["big", "red", "cat"], …]`.
    static func things(_ firstTurn: String) throws -> [[String]] {
        let line = try #require(firstTurn.split(separator: "\n").first.map(String.init))
        #expect(line.hasPrefix("List: a ") && line.hasSuffix("."))
        return line.dropFirst("List: ".count).dropLast().components(separatedBy: ", ").map {
            Array($0.split(separator: " ").dropFirst().map(String.init))
        }
    }

    /// The naming words and the asked kind of a question's text.
    static func parse(_ text: String) -> (named: [String], asked: Int)? {
        let patterns: [(prefix: String, suffix: String, asked: Int)] = [
            ("What size is the ", "?", 0), ("What colour is the ", "?", 1), ("What is the ", " thing?", 2),
        ]
        for pattern in patterns {
            guard let start = text.range(of: pattern.prefix),
                  let end = text.range(of: pattern.suffix, range: start.upperBound..<text.endIndex) else { continue }
            return (text[start.upperBound..<end.lowerBound].split(separator: " ").map(String.init), pattern.asked)
        }
        return nil
    }

    @Test func everyAnswerFollowsFromTheListAndTheTwoNamingWords() throws {
        var rng = SplitMix64(seed: 21)
        var sizes = Set<Int>(), askedKinds = Set<Int>(), replies = Set<String>()
        let phrasings = GenericInstruction.phrasings[.word] ?? []
        for _ in 0..<300 {
            let lookup = ConjunctionLookup.make(using: &rng)
            #expect(lookup.turns.count == 2 * ConjunctionLookup.questionsPerList)
            #expect(lookup.turns.enumerated().allSatisfy { $1.role == ($0.isMultiple(of: 2) ? .user : .assistant) })
            let things = try Self.things(lookup.turns[0].text)
            #expect(things == lookup.items && ConjunctionLookup.itemRange.contains(things.count))
            #expect(Set(things).count == things.count, "things are distinct")
            for thing in things {
                #expect(thing.count == 3 && (0..<3).allSatisfy { ConjunctionLookup.kinds[$0].words.contains(thing[$0]) })
            }
            sizes.insert(things.count)
            for (index, question) in lookup.questions.enumerated() {
                let user = lookup.turns[2 * index].text, reply = lookup.turns[2 * index + 1].text
                #expect(!MicroPrompt.containsHeldOutInstruction(user) && phrasings.contains { user.contains($0) })
                let (named, asked) = try #require(Self.parse(user), "\(user)")
                #expect(named.count == 2)
                let kinds = (0..<3).filter { $0 != asked }
                let matches = things.filter { thing in zip(kinds, named).allSatisfy { thing[$0] == $1 } }
                #expect(matches.count == 1, "\(user) names one thing of \(things)")
                #expect(matches.first?[asked] == question.answer && things[question.item][asked] == question.answer)
                #expect(reply == question.answer || reply.hasSuffix("\"\(question.answer)\"."))
                if index == 0 {  // neither naming word alone finds the first question's thing
                    for (kind, word) in zip(kinds, named) { #expect(things.filter { $0[kind] == word }.count >= 2) }
                }
                askedKinds.insert(asked)
                replies.insert(reply)
            }
        }
        #expect(sizes == Set(ConjunctionLookup.itemRange) && askedKinds == [0, 1, 2])
        #expect(replies.contains { $0.hasPrefix("The answer is \"") } && replies.contains { !$0.contains("\"") })
    }

    @Test func theSameSeedGivesTheSameLookups() {
        let a = MicroWorld(seed: 4).conjunctionLookupRecords(count: 20, firstIndex: 7)
        let b = MicroWorld(seed: 4).conjunctionLookupRecords(count: 20, firstIndex: 7)
        let c = MicroWorld(seed: 5).conjunctionLookupRecords(count: 20, firstIndex: 7)
        #expect(a == b && a != c)
        #expect(a.map(\.id) == (0..<20).map { "lookup-" + MicroWorld.padded($0) })
        #expect(a.map(\.location.index) == Array(7..<27) && a.allSatisfy { $0.images.isEmpty })
        // A prefix of a longer draw: raising the count only appends.
        #expect(Array(MicroWorld(seed: 4).conjunctionLookupRecords(count: 30, firstIndex: 7).prefix(20)) == a)
    }

    @Test func theWorldAppendsTheLookupsToTheStageZeroInstructions() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-conj-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let world = MicroWorld(seed: 11, conjunctionLookups: 9)
        let manifest = try world.write(to: folder, counts: .tiny)
        let records = try InstructionDataset.load(from: folder.appendingPathComponent(try #require(manifest.instructions))).records
        let generic = MicroWorldCounts.tiny.corpusScenes
        #expect(records.count == generic + 9)
        let expected = world.pretrainInstructions(count: generic) + world.conjunctionLookupRecords(count: 9, firstIndex: generic)
        #expect(records.map(\.id) == expected.map(\.id) && records.map(\.turns) == expected.map(\.turns))
        #expect(records.map(\.location.index) == Array(0..<(generic + 9)))
    }
}
