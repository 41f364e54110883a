/// A generic conjunction lookup: a list of things, each a size, a colour and a noun (`a big red cat`), then
/// questions that name one thing by two of its words and ask for the third. It is the reading a scene question
/// needs (*the small triangle* must match two words of the scene to find the colour to copy), about content that
/// is not a scene, as the paper's language data hold reading-comprehension tasks.
///
/// The first question's thing has two distractors, each sharing one of the two words it is named by, so neither
/// word alone finds it; every question's two words name exactly one thing of the list. Later questions ask about
/// any thing and word kind whose naming pair is unique. Questions use the word format's phrasings
/// (``GenericInstruction/phrasings``), never a held-out instruction.
///
/// ```
/// USER: List: a big red cat, a tiny red dog, a big green dog.
/// What size is the red dog? Answer with a single word.          ASSISTANT: tiny
/// USER: What is the big green thing? Give a one-word answer.     ASSISTANT: The answer is "dog".
/// ```
public struct ConjunctionLookup: Sendable, Equatable {
    /// One question: which thing it names, which word it asks for, and its text and answer.
    public struct Question: Sendable, Hashable {
        /// The index of the thing in ``ConjunctionLookup/items``.
        public var item: Int
        /// The word kind asked for: 0 size, 1 colour, 2 noun.
        public var asked: Int
        /// `"What size is the red dog?"`.
        public var text: String
        /// The asked word of the named thing.
        public var answer: String
    }

    /// The things in list order, each `[size, colour, noun]`.
    public var items: [[String]]
    /// The questions, in conversation order.
    public var questions: [Question]
    /// The user turns (the first holds the list) and the assistant replies, alternating.
    public var turns: [Turn]

    /// The three word kinds: their names in questions and their values.
    public static let kinds: [(name: String, words: [String])] = [
        ("size", ["big", "tiny", "huge"]),
        ("colour", ["red", "green", "white"]),
        ("thing", ["cat", "dog", "bird", "tree", "apple", "book", "lamp", "horse", "stone", "cloud"]),
    ]
    /// Things per list.
    public static let itemRange = 3...6
    /// Questions per list.
    public static let questionsPerList = 4

    /// A random lookup: a list of 3 to 6 distinct things and ``questionsPerList`` questions.
    public static func make(using rng: inout SplitMix64) -> ConjunctionLookup {
        let widths = kinds.map(\.words.count)
        let count = itemRange.lowerBound + rng.nextInt(below: itemRange.count)
        var things: [[Int]], asked: Int, target: [Int]
        repeat {  // a target, one distractor per naming word (sharing the other), the rest random; all distinct
            asked = rng.nextInt(below: 3)
            target = widths.map { rng.nextInt(below: $0) }
            things = [target]
            for kind in 0..<3 where kind != asked {
                var distractor = target
                distractor[kind] = (target[kind] + 1 + rng.nextInt(below: widths[kind] - 1)) % widths[kind]
                distractor[asked] = rng.nextInt(below: widths[asked])
                things.append(distractor)
            }
            while things.count < count { things.append(widths.map { rng.nextInt(below: $0) }) }
        } while Set(things).count != things.count || !names(target, asked: asked, uniquelyIn: things)
        rng.shuffle(&things)

        var questions = [question(things.firstIndex(of: target) ?? 0, asked: asked, in: things)]
        while questions.count < questionsPerList {
            let item = rng.nextInt(below: things.count), kind = rng.nextInt(below: 3)
            if names(things[item], asked: kind, uniquelyIn: things) { questions.append(question(item, asked: kind, in: things)) }
        }
        let words = things.map { thing in (0..<3).map { kinds[$0].words[thing[$0]] } }
        let list = "List: " + words.map { "a " + $0.joined(separator: " ") }.joined(separator: ", ") + "."
        var turns: [Turn] = []
        for (index, question) in questions.enumerated() {
            let asked = GenericInstruction.phrased(question.text, .word, using: &rng)
            turns.append(Turn(.user, index == 0 ? list + "\n" + asked : asked))
            turns.append(Turn(.assistant, GenericInstruction.reply(question.answer, using: &rng)))
        }
        return ConjunctionLookup(items: words, questions: questions, turns: turns)
    }

    /// The record of the conversation, no image.
    public func record(id: String, file: String, index: Int) -> InstructionRecord {
        InstructionRecord(id: id, images: [], turns: turns, location: RecordLocation(file: file, index: index))
    }

    /// True when the two kinds other than `asked` match `thing` in exactly one entry of `things`.
    static func names(_ thing: [Int], asked: Int, uniquelyIn things: [[Int]]) -> Bool {
        things.filter { other in (0..<3).allSatisfy { $0 == asked || other[$0] == thing[$0] } }.count == 1
    }

    /// `"What colour is the big cat?"`, `"What size is the red dog?"`, `"What is the big red thing?"`.
    private static func question(_ item: Int, asked: Int, in things: [[Int]]) -> Question {
        let thing = things[item]
        let word = { (kind: Int) in kinds[kind].words[thing[kind]] }
        let text = switch asked {
        case 0: "What size is the \(word(1)) \(word(2))?"
        case 1: "What colour is the \(word(0)) \(word(2))?"
        default: "What is the \(word(0)) \(word(1)) thing?"
        }
        return Question(item: item, asked: asked, text: text, answer: word(asked))
    }
}
