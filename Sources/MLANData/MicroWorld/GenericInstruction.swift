/// Generic instructions about content that is not a scene (numbers, words, letters, small arithmetic,
/// comparisons), in every answer format a micro world task uses. They stand for what the paper's base LLMs
/// (Vicuna, Llama 2) and its language mixtures already hold: instruction following in many formats.
///
/// Some questions are lookups in a short list given in the prompt (does the list hold a word, which number goes
/// with a word, which word follows another): reading by content, the skill a scene question needs, about content
/// that is not a scene.
///
/// Each format has several instruction phrasings, none of which contains a held-out instruction
/// (``MicroPrompt/heldOutInstructions``); replies are the bare answer or a sentence that quotes it
/// (`The answer is "B".`), as a chat model answers. A held-out cluster therefore finds its answer format and its
/// words in training, but never with its own instruction and never about a scene.
///
/// ```
/// Is 7 greater than 3? Reply with yes or no.                          → yes
/// Question: What is 2 plus 3?\nA: 4\nB: 5\nC: 7\nPick the correct option and give its letter.  → The answer is "B".
/// Statement: the word "river" has 5 letters. Please respond with one word, true/false.  → true
/// Does the list "lamp, river, stone" contain "river"? Reply with yes or no.  → yes
/// Is there a "bird" in the list "lamp, river, stone"? Say yes or no.          → no
/// cat: 4, dog: 7, bird: 2. Which number goes with "dog"? Give the number.   → 7
/// ```
public struct GenericInstruction: Sendable, Hashable {
    /// The answer format: ``MicroAnswerFormat`` `yesNo`, `letter`, `trueFalse`, `word` or `number`.
    public var format: MicroAnswerFormat
    /// The user turn.
    public var prompt: String
    /// The bare answer (`"yes"`, `"B"`, `"true"`, `"house"`, `"7"`).
    public var answer: String
    /// The assistant turn: the answer, or a sentence quoting it.
    public var reply: String

    /// The formats generic instructions come in, in file order.
    public static let formats: [MicroAnswerFormat] = [.yesNo, .letter, .trueFalse, .word, .number]

    /// The task cluster name of a format's generic instructions: `"generic_yes_no"`.
    public static func clusterName(_ format: MicroAnswerFormat) -> String { "generic_\(format.rawValue)" }

    /// Instruction phrasings per format: every combination of an optional "Please", a way of asking for the
    /// format and a closing `.` or `:`, so that a model learns to read the format off the instruction's words
    /// rather than recognise a few fixed sentences. A combination that contains a held-out instruction
    /// (``MicroPrompt/containsHeldOutInstruction(_:)``, which ignores case and punctuation) is left out, so
    /// `"True or false?"` and anything spelling it, such as "answer true or false", never occur.
    public static let phrasings: [MicroAnswerFormat: [String]] = Dictionary(uniqueKeysWithValues: formats.map { format in
        let requests = (requests[format] ?? []).flatMap { request in
            ["", "Please "].flatMap { lead in [".", ":"].map { end in lead + request + end } }
        }
        return (format, requests.map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .filter { !MicroPrompt.containsHeldOutInstruction($0) })
    })

    /// The ways of asking for each format, combined into ``phrasings``.
    static let requests: [MicroAnswerFormat: [String]] = [
        .yesNo: ["reply with yes or no", "say yes or no", "answer with one word, yes or no", "respond with \"yes\" or \"no\"",
                 "give either yes or no as the answer", "reply \"yes\" if it is so and \"no\" if not",
                 "use a single word: yes or no"],
        .letter: ["pick the correct option and give its letter", "choose the right option and answer with its letter",
                  "reply with the letter of the correct option", "choose the correct answer from the options",
                  "select the right choice and give its letter", "answer with the letter of your choice"],
        .trueFalse: ["reply with true if it holds and false if it does not", "say whether this is true or whether it is false",
                     "decide if it holds and give true or give false", "answer \"true\" when it holds, \"false\" otherwise",
                     "judge the statement: true, else false", "respond with one word, true/false"],
        .word: ["answer with a single word", "reply with one word", "give a one-word answer", "use a single word",
                "respond in one word"],
        .number: ["answer with a number", "reply with the number only", "give the number", "respond with digits",
                  "answer in digits"],
    ]

    /// Words the generic questions are about.
    static let words = ["cat", "dog", "house", "tree", "apple", "river", "stone", "bird", "book", "cloud", "lamp",
                        "garden", "window", "orange", "music", "pencil", "road", "horse", "table", "sun"]
    /// Opposites for word questions.
    static let opposites = [("big", "small"), ("left", "right"), ("first", "last"), ("more", "fewer"),
                            ("up", "down"), ("hot", "cold"), ("open", "closed"), ("early", "late")]
    /// Number words for number-to-digit questions.
    static let numberWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

    /// A random generic instruction of `format`.
    public static func make(_ format: MicroAnswerFormat, using rng: inout SplitMix64) -> GenericInstruction {
        let (question, answer): (String, String)
        var block = ""
        switch format {
        case .yesNo:
            let truth = rng.nextInt(below: 2) == 0
            (question, answer) = (claim(truth: truth, using: &rng).question, truth ? "yes" : "no")
        case .trueFalse:
            let truth = rng.nextInt(below: 2) == 0
            (question, answer) = ("Statement: " + claim(truth: truth, using: &rng).statement + ".", truth ? "true" : "false")
        case .word:
            (question, answer) = wordQuestion(using: &rng)
        case .number:
            (question, answer) = numberQuestion(using: &rng)
        case .letter:
            let (inner, right) = rng.nextInt(below: 2) == 0 ? numberQuestion(using: &rng) : wordQuestion(using: &rng)
            var options = [right]
            let count = 3 + rng.nextInt(below: 2)
            var pool = distractors(for: right)
            rng.shuffle(&pool)
            options += pool.filter { $0 != right }.prefix(count - 1)
            rng.shuffle(&options)
            let letter = SceneQuery.optionLetters[options.firstIndex(of: right) ?? 0]
            block = zip(SceneQuery.optionLetters, options).map { "\($0): \($1)\n" }.joined()
            question = "Question: " + inner
            answer = letter
        }
        let prompt: String
        if format == .letter {
            let formatPhrasings = phrasings[format] ?? []
            let phrasing = formatPhrasings[rng.nextInt(below: formatPhrasings.count)]
            prompt = rng.nextInt(below: 2) == 0 ? question + "\n" + block + phrasing : phrasing + "\n" + question + "\n" + block
        } else {
            prompt = phrased(question, format, using: &rng)
        }
        return GenericInstruction(format: format, prompt: prompt, answer: answer, reply: reply(answer, using: &rng))
    }

    /// `question` with one of `format`'s phrasings, after it or on the line before it (seeded).
    static func phrased(_ question: String, _ format: MicroAnswerFormat, using rng: inout SplitMix64) -> String {
        let formatPhrasings = phrasings[format] ?? []
        let phrasing = formatPhrasings[rng.nextInt(below: formatPhrasings.count)]
        return rng.nextInt(below: 2) == 0 ? question + " " + phrasing : phrasing + "\n" + question
    }

    /// The assistant turn for `answer`: the bare answer or a sentence quoting it, as a chat model answers.
    static func reply(_ answer: String, using rng: inout SplitMix64) -> String {
        switch rng.nextInt(below: 3) {
        case 0: answer
        case 1: "The answer is \"\(answer)\"."
        default: "The best answer is \"\(answer)\"."
        }
    }

    /// The record of an instruction: one user turn, one assistant turn, no image.
    public func record(id: String, file: String, index: Int) -> InstructionRecord {
        InstructionRecord(id: id, images: [], turns: [Turn(.user, prompt), Turn(.assistant, reply)],
                          location: RecordLocation(file: file, index: index))
    }

    /// A comparison or property claim and its question form, true or false as asked.
    private static func claim(truth: Bool, using rng: inout SplitMix64) -> (question: String, statement: String) {
        switch rng.nextInt(below: 5) {
        case 0:
            var (a, b) = (rng.nextInt(below: 20), rng.nextInt(below: 20))
            if a == b { b += 1 }
            if (a > b) != truth { swap(&a, &b) }
            return ("Is \(a) greater than \(b)?", "\(a) is greater than \(b)")
        case 1:
            let (a, b) = (rng.nextInt(below: 8), rng.nextInt(below: 8))
            let sum = truth ? a + b : a + b + 1 + rng.nextInt(below: 2)
            return ("Is \(a) plus \(b) equal to \(sum)?", "\(a) plus \(b) is \(sum)")
        case 2:
            let word = words[rng.nextInt(below: words.count)]
            let length = truth ? word.count : word.count + (rng.nextInt(below: 2) == 0 ? 1 : -1)
            return ("Does the word \"\(word)\" have \(length) letters?", "the word \"\(word)\" has \(length) letters")
        case 3:
            let even = 2 * rng.nextInt(below: 10), odd = 2 * rng.nextInt(below: 10) + 1
            let n = truth ? even : odd
            return ("Is \(n) an even number?", "\(n) is an even number")
        default:
            let picked = rng.sample(words, count: 4)  // a list of three, and a fourth word it lacks
            let list = Array(picked.prefix(3)), asked = truth ? list[rng.nextInt(below: 3)] : picked[3]
            let quoted = "\"" + list.joined(separator: ", ") + "\""
            return rng.nextInt(below: 2) == 0
                ? ("Does the list \(quoted) contain \"\(asked)\"?", "the list \(quoted) contains \"\(asked)\"")
                : ("Is there a \"\(asked)\" in the list \(quoted)?", "there is a \"\(asked)\" in the list \(quoted)")
        }
    }

    private static func wordQuestion(using rng: inout SplitMix64) -> (String, String) {
        switch rng.nextInt(below: 4) {
        case 0:
            var pair = rng.sample(words, count: 2)
            while pair[0].count == pair[1].count { pair = rng.sample(words, count: 2) }
            let longer = pair[0].count > pair[1].count ? pair[0] : pair[1]
            return ("Which word is longer, \"\(pair[0])\" or \"\(pair[1])\"?", longer)
        case 1:
            let (a, b) = opposites[rng.nextInt(below: opposites.count)]
            return rng.nextInt(below: 2) == 0 ? ("What is the opposite of \"\(a)\"?", b) : ("What is the opposite of \"\(b)\"?", a)
        case 2:
            let n = rng.nextInt(below: numberWords.count)
            return ("Which word names the number \(n)?", numberWords[n])
        default:
            let list = rng.sample(words, count: 3 + rng.nextInt(below: 2))
            let i = rng.nextInt(below: list.count - 1)
            return ("In the list \(list.joined(separator: ", ")), which word comes after \"\(list[i])\"?", list[i + 1])
        }
    }

    private static func numberQuestion(using rng: inout SplitMix64) -> (String, String) {
        switch rng.nextInt(below: 5) {
        case 0:
            let (a, b) = (rng.nextInt(below: 7), rng.nextInt(below: 6))
            return ("What is \(a) plus \(b)?", String(a + b))
        case 1:
            let word = words[rng.nextInt(below: words.count)]
            return ("How many letters does the word \"\(word)\" have?", String(word.count))
        case 2:
            let n = rng.nextInt(below: 11)
            return ("What number comes after \(n)?", String(n + 1))
        case 3:
            let items = rng.sample(words, count: 1 + rng.nextInt(below: 4))
            return ("How many words are in this list: \(items.joined(separator: ", "))?", String(items.count))
        default:
            let keys = rng.sample(words, count: 3)
            let pairs = keys.map { ($0, rng.nextInt(below: 10)) }
            let (asked, value) = pairs[rng.nextInt(below: pairs.count)]
            return (pairs.map { "\($0): \($1)" }.joined(separator: ", ") + ". Which number goes with \"\(asked)\"?",
                    String(value))
        }
    }

    /// Wrong options of the same kind as `answer`.
    private static func distractors(for answer: String) -> [String] {
        if let n = Int(answer) { return (0...max(n + 3, 6)).map(String.init) }
        if numberWords.contains(answer) { return numberWords }
        if let pair = opposites.first(where: { $0.0 == answer || $0.1 == answer }) {
            return opposites.flatMap { [$0.0, $0.1] }.filter { $0 != pair.0 && $0 != pair.1 } + [answer]
        }
        return words
    }
}
