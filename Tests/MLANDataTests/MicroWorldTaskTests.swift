import Foundation
import Testing
@testable import MLANData

/// An answer key written apart from `SceneQuery.answer(in:)`: plain loops over the scene's boxes.
enum AnswerOracle {
    typealias Item = (box: Int, object: SceneObject)

    static func items(_ scene: Scene) -> [Item] {
        var items: [Item] = []
        for (box, objects) in scene.boxes.enumerated() { for object in objects { items.append((box, object)) } }
        return items
    }

    static func matches(_ f: SceneFilter, _ o: SceneObject) -> Bool {
        if let size = f.size, size != o.size { return false }
        if let color = f.color, color != o.color { return false }
        if let shape = f.shape, shape != o.shape { return false }
        return true
    }

    static func only(_ f: SceneFilter, _ scene: Scene) -> Item? {
        let found = items(scene).filter { matches(f, $0.object) }
        return found.count == 1 ? found[0] : nil
    }

    static func value(_ attribute: SceneAttribute, _ o: SceneObject) -> String {
        switch attribute {
        case .color: ["Yellow": "yellow", "Black": "black", "#0099ff": "blue"][o.color.rawValue]!
        case .shape: o.shape.rawValue
        case .size: [10: "small", 20: "medium", 30: "large"][o.size.rawValue]!
        }
    }

    static let ordinals = ["first", "second", "third"]

    static func center(_ o: SceneObject) -> Double { Double(o.x) + Double(o.size.rawValue) / 2 }

    /// The expected answer, or nil when the question should never have been asked.
    static func answer(_ query: SceneQuery, _ scene: Scene) -> String? {
        let count = { (f: SceneFilter) in items(scene).filter { matches(f, $0.object) }.count }
        switch query {
        case .count(let f): return "\(count(f))"
        case .countInBox(let b): return "\(scene.boxes[b].count)"
        case .attribute(let a, let f): return only(f, scene).map { value(a, $0.object) }
        case .box(let f): return only(f, scene).map { ordinals[$0.box] }
        case .side(let a, let b):
            guard let p = only(a, scene), let q = only(b, scene) else { return nil }
            if p.box != q.box { return p.box < q.box ? "left" : "right" }
            let d = center(p.object) - center(q.object)
            return d <= -10 ? "left" : (d >= 10 ? "right" : nil)
        case .more(let a, let b): return count(a) > count(b) ? "yes" : "no"
        case .mostObjectsBox:
            let sizes = scene.boxes.map(\.count)
            let winners = sizes.indices.filter { sizes[$0] == sizes.max()! }
            return winners.count == 1 ? ordinals[winners[0]] : nil
        case .neighbourAttribute(let a, let f):
            guard let r = only(f, scene) else { return nil }
            let right = scene.boxes[r.box].filter { center($0) - center(r.object) >= 10 }
                .sorted { center($0) < center($1) }
            guard let n = right.first else { return nil }
            return value(a, n)
        case .onlyObjectAttribute(let a, let b):
            return scene.boxes[b].count == 1 ? value(a, scene.boxes[b][0]) : nil
        case .exists(let f): return count(f) > 0 ? "yes" : "no"
        case .choice(let inner, let options):
            guard let answer = answer(inner, scene), let i = options.firstIndex(of: answer) else { return nil }
            return ["A", "B", "C", "D", "E"][i]
        case .statement(.exactly(let n, let f)): return count(f) == n ? "true" : "false"
        case .statement(.boxContains(let b, let f)):
            return scene.boxes[b].contains { matches(f, $0) } ? "true" : "false"
        case .statement(.everyBoxContains(let f)):
            return scene.boxes.allSatisfy { $0.contains { matches(f, $0) } } ? "true" : "false"
        }
    }
}

@Suite struct MicroWorldTaskTests {
    static let world = MicroWorld(seed: 42)

    static func examples(_ cluster: MicroTaskCluster, _ modality: MicroModality, count: Int = 300) -> [MicroExample] {
        world.examples(cluster, modality: modality, split: cluster.isHeldOut ? .eval : .train, count: count)
    }

    @Test(arguments: MicroTaskCluster.allCases)
    func everyAnswerAgreesWithAnIndependentAnswerKey(cluster: MicroTaskCluster) {
        for modality in MicroModality.allCases {
            for example in Self.examples(cluster, modality) {
                #expect(AnswerOracle.answer(example.query, example.scene) == example.answer, "\(example.id)")
            }
        }
    }

    @Test(arguments: MicroTaskCluster.allCases)
    func answersHaveTheClustersShortExactFormat(cluster: MicroTaskCluster) {
        let words = Set(["yellow", "black", "blue", "square", "circle", "triangle", "small", "medium", "large",
                         "first", "second", "third", "left", "right", "yes", "no"])
        let answers = Self.examples(cluster, .language).map(\.answer)
        for answer in answers {
            switch cluster.answerFormat {
            case .number: #expect(Int(answer).map { (0...12).contains($0) } == true, "\(answer)")
            case .word: #expect(words.contains(answer), "\(answer)")
            case .yesNo: #expect(["yes", "no"].contains(answer))
            case .letter: #expect(["A", "B", "C"].contains(answer))
            case .trueFalse: #expect(["true", "false"].contains(answer))
            }
        }
        // Binary answers are balanced, letters spread over the options.
        let counts = Dictionary(grouping: answers, by: { $0 }).mapValues(\.count)
        if [.yesNo, .trueFalse].contains(cluster.answerFormat) {
            #expect(counts.values.allSatisfy { (110...190).contains($0) }, "\(counts)")
        }
        if cluster.answerFormat == .letter { #expect(counts.count == 3 && counts.values.allSatisfy { $0 > 70 }) }
    }

    @Test(arguments: MicroTaskCluster.allCases)
    func languageVersionsDescribeTheSceneAndVisionVersionsShowIt(cluster: MicroTaskCluster) {
        for example in Self.examples(cluster, .language, count: 50) {
            #expect(example.image == nil && !example.prompt.contains("<image>"))
            #expect(example.prompt.contains(SceneDescriber.description(example.scene)))
            #expect(example.record(file: "f", index: 0).isMultimodal == false)
        }
        for example in Self.examples(cluster, .vision, count: 50) {
            #expect(example.prompt.hasPrefix("<image>\n") && !example.prompt.contains("first box:"))
            let record = example.record(file: "f", index: 3)
            #expect(record.images == [example.image!] && record.imageTokenCount == 1)
            #expect(record.turns.map(\.role) == [.user, .assistant] && record.turns[1].text == example.answer)
        }
    }

    @Test func evaluationVersionsArePairedAcrossModalities() {
        for cluster in MicroTaskCluster.allCases {
            let language = Self.world.examples(cluster, modality: .language, split: .eval, count: 20)
            let vision = Self.world.examples(cluster, modality: .vision, split: .eval, count: 20)
            #expect(zip(language, vision).allSatisfy { $0.scene == $1.scene && $0.query == $1.query })
        }
    }

    @Test func promptsFollowThePapersEvaluationFormats() throws {
        let existence = try #require(Self.examples(.existence, .vision, count: 1).first)
        #expect(existence.prompt.hasPrefix("<image>\nPlease answer with \"yes\" or \"no\":\nIs there a "))
        #expect(existence.prompt.hasSuffix(" in the scene?\n"))
        let choice = try #require(Self.examples(.multipleChoice, .language, count: 1).first)
        #expect(choice.prompt.hasPrefix("Context: first box: "))
        #expect(choice.prompt.contains("\nQuestion: "))
        #expect(choice.prompt.contains(" Choose the best option from below:\nA: "))
        #expect(choice.prompt.hasSuffix("\n") && choice.prompt.contains("\nC: "))
        let statement = try #require(Self.examples(.booleanStatement, .vision, count: 1).first)
        #expect(statement.prompt.hasPrefix("<image>\nStatement: ") && statement.prompt.hasSuffix(". True or false?"))
        let counting = try #require(Self.examples(.counting, .language, count: 1).first)
        #expect(counting.prompt.hasPrefix("Scene: first box: "))
        #expect(counting.prompt.hasSuffix("?\nAnswer the question using a single word or phrase."))
    }

    @Test func questionTextsReadAsEnglish() {
        let bigBlueCircle = SceneFilter(size: .large, color: .blue, shape: .circle)
        #expect(SceneQuery.count(SceneFilter(color: .blue)).question == "How many blue objects are there?")
        #expect(SceneQuery.attribute(.color, of: SceneFilter(size: .large, shape: .circle)).question
                == "What colour is the large circle?")
        #expect(SceneQuery.side(bigBlueCircle, relativeTo: SceneFilter(shape: .square)).question
                == "Is the large blue circle left or right of the square?")
        #expect(SceneQuery.exists(SceneFilter(color: .yellow, shape: .triangle)).question
                == "Is there a yellow triangle in the scene?")
        #expect(SceneStatement.exactly(1, SceneFilter(color: .black, shape: .square)).text
                == "there is exactly 1 black square")
        #expect(SceneStatement.exactly(2, SceneFilter(shape: .square)).text == "there are exactly 2 squares")
        #expect(SceneFilter.any.withArticle == "an object")
    }

    @Test func everyClusterAsksSeveralKindsOfQuestion() {
        func kind(_ q: SceneQuery) -> String { String(String(describing: q).prefix { $0 != "(" }) }
        let expected: [MicroTaskCluster: Set<String>] = [
            .counting: ["count", "countInBox"], .attribute: ["attribute"], .spatial: ["box", "side"],
            .comparison: ["more", "mostObjectsBox"], .shortAnswer: ["neighbourAttribute", "onlyObjectAttribute"],
            .existence: ["exists"], .multipleChoice: ["choice"], .booleanStatement: ["statement"],
        ]
        for cluster in MicroTaskCluster.allCases {
            #expect(Set(Self.examples(cluster, .language, count: 200).map { kind($0.query) }) == expected[cluster])
        }
    }

    @Test func heldOutClustersAreExistenceMultipleChoiceAndStatements() {
        #expect(MicroTaskCluster.heldOut == [.existence, .multipleChoice, .booleanStatement])
        #expect(MicroTaskCluster.trained == [.counting, .attribute, .spatial, .comparison, .shortAnswer])
        #expect(Set(MicroTaskCluster.heldOut.map(\.answerFormat)) == [.yesNo, .letter, .trueFalse])
    }

    @Test func corpusLinesTalkAboutScenesWithoutHeldOutPromptFormats() {
        let lines = Self.world.corpus(scenes: 200)
        #expect(lines.count == 600)
        #expect(Set(lines).count > 590)
        for line in lines {
            #expect(!line.isEmpty && !line.contains("\n") && !line.contains("<image>"))
            for format in ["Please answer", "Choose the best", "True or false"] { #expect(!line.contains(format)) }
        }
        #expect(lines.contains { $0.contains("it is true that ") })
        #expect(lines.contains { $0.contains("it is false that ") })
        #expect(lines.contains { $0.contains(" question: ") && $0.contains(" answer: ") })
    }

    /// Reading lines hold `corpusQuestions` question-answer pairs, each answered correctly from the line's scene.
    @Test func corpusReadingLinesHoldTheAskedNumberOfAnsweredQuestions() throws {
        var world = Self.world
        world.corpusQuestions = 5
        var rng = SplitMix64(seed: world.seed, label: "corpus")
        let generator = CorpusGenerator(queries: world.queries, questionsPerScene: 5)
        let lines = world.corpus(scenes: 40)
        #expect(lines == (0..<40).flatMap { _ in generator.lines(using: &rng) })
        for reading in stride(from: 1, to: lines.count, by: 3).map({ lines[$0] }) {
            #expect(reading.components(separatedBy: "question: ").count - 1 == 5, "\(reading)")
            #expect(reading.components(separatedBy: " answer: ").count - 1 == 5, "\(reading)")
        }
        // The first scene's questions, redrawn from the same stream, agree with their answers in the line.
        var again = SplitMix64(seed: world.seed, label: "corpus")
        let trained = MicroTaskCluster.trained
        let (scene, first) = world.queries.example(trained[again.nextInt(below: trained.count)], using: &again)
        let answer = try #require(first.answer(in: scene))
        #expect(lines[1].hasPrefix("\(SceneDescriber.description(scene)) question: \(first.question) answer: \(answer) "))
    }
}
