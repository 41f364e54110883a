/// The plain text a micro language model is pretrained on (stage 0): for each random scene, three lines —
/// its description followed by simple facts, its description followed by ``questionsPerScene``
/// question-and-answer pairs from the trained clusters, and its caption.
///
/// ```
/// first box: a small black circle. second box: … there are 2 blue objects. the third box has 1 object.
///     there is no yellow square. it is true that every box contains a circle.
/// first box: a small black circle. second box: … question: What colour is the large square? answer: blue
/// a small black circle in the first box; … in the third box.
/// ```
///
/// Facts include "it is true that …" / "it is false that …" judgements, so the words of the held-out
/// true/false task are known to the language model, as a real LLM knows them; the held-out clusters' prompt
/// formats never appear.
public struct CorpusGenerator: Sendable {
    /// The scenes and trained-cluster questions the lines are about.
    public var queries: QueryGenerator

    /// Question-and-answer pairs on each scene's second line (at least 1).
    public var questionsPerScene: Int

    /// How descriptions and captions name objects (facts and questions use the separate words).
    public var objectWords: ObjectWords

    public init(queries: QueryGenerator = QueryGenerator(), questionsPerScene: Int = 1,
                objectWords: ObjectWords = .separate) {
        precondition(questionsPerScene >= 1, "questions per corpus scene must be positive, got \(questionsPerScene)")
        self.queries = queries
        self.questionsPerScene = questionsPerScene
        self.objectWords = objectWords
    }

    /// The three lines about one random scene.
    public func lines(using rng: inout SplitMix64) -> [String] {
        let trained = MicroTaskCluster.trained
        let (scene, reading) = readingLine(using: &rng) { rng in trained[rng.nextInt(below: trained.count)] }
        return [
            ([SceneDescriber.description(scene, words: objectWords)] + facts(scene, using: &rng)).joined(separator: " "),
            reading,
            SceneDescriber.caption(scene, words: objectWords),
        ]
    }

    /// A lookup line about one random scene: its description and ``questionsPerScene`` questions of the attribute
    /// cluster, the plainest reading (`question: What colour is the large square? answer: blue`). A stage-0 warm-up
    /// on such lines forms the lookup before the corpus asks harder questions (Docs/RECIPE.md, "A lookup warm-up").
    public func lookupLine(using rng: inout SplitMix64) -> String {
        readingLine(using: &rng) { _ in .attribute }.line
    }

    /// A judgement line about one random scene: its description and ``questionsPerScene`` yes/no and true/false
    /// questions with their verdicts (``SceneJudgement``), each verdict drawn before its question, so half hold:
    /// `question: Is it true that there is a yellow circle? answer: false`.
    public func judgementLine(using rng: inout SplitMix64) -> String {
        let scene = queries.scenes.scene(using: &rng)
        var line = [SceneDescriber.description(scene, words: objectWords)]
        while line.count <= questionsPerScene {
            let wantTrue = rng.nextInt(below: 2) == 0
            guard let judgement = SceneJudgement.draw(in: scene, wantTrue: wantTrue, using: &rng) else { continue }
            line.append("question: \(judgement.question) answer: \(judgement.answer(in: scene))")
        }
        return line.joined(separator: " ")
    }

    /// A random scene and its reading line: the description, then ``questionsPerScene`` question-and-answer pairs,
    /// each of the cluster `cluster` draws.
    private func readingLine(using rng: inout SplitMix64,
                             cluster: (inout SplitMix64) -> MicroTaskCluster) -> (scene: Scene, line: String) {
        let (scene, query) = queries.example(cluster(&rng), using: &rng)
        guard let answer = query.answer(in: scene) else {
            preconditionFailure("the query generator returned \(query) without an answer")
        }
        var reading = ["\(SceneDescriber.description(scene, words: objectWords)) question: \(query.question) answer: \(answer)"]
        while reading.count < questionsPerScene {
            guard let more = queries.query(cluster(&rng), in: scene, using: &rng), let answer = more.answer(in: scene) else {
                continue
            }
            reading.append("question: \(more.question) answer: \(answer)")
        }
        return (scene, reading.joined(separator: " "))
    }

    /// Two counts, one box size, one absence or presence, one true or false judgement.
    private func facts(_ scene: Scene, using rng: inout SplitMix64) -> [String] {
        var facts: [String] = []
        for _ in 0..<2 {
            let object = scene.readingOrder[rng.nextInt(below: scene.objectCount)].object
            let subsets: [[SceneAttribute]] = [[.color], [.shape], [.size], [.color, .shape]]
            let filter = SceneFilter(describing: object, by: subsets[rng.nextInt(below: subsets.count)])
            let count = scene.count(filter)
            facts.append("there \(count == 1 ? "is" : "are") \(filter.counted(count)).")
        }
        let box = rng.nextInt(below: Scene.boxCount)
        let objects = scene.boxes[box].count
        facts.append("the \(SceneDescriber.ordinal(box)) box has \(objects) \(objects == 1 ? "object" : "objects").")
        let probe = SceneFilter(color: SceneColor.allCases[rng.nextInt(below: SceneColor.allCases.count)],
                                shape: SceneShape.allCases[rng.nextInt(below: SceneShape.allCases.count)])
        facts.append(scene.count(probe) > 0 ? "there is \(probe.withArticle)." : "there is no \(probe.singular).")
        let statements: [SceneStatement] = [
            .everyBoxContains(SceneFilter(color: probe.color)),
            .everyBoxContains(SceneFilter(shape: probe.shape)),
            .boxContains(box, probe),
        ]
        let statement = statements[rng.nextInt(below: statements.count)]
        facts.append("it is \(statement.holds(in: scene) ? "true" : "false") that \(statement.text).")
        return facts
    }

    /// Where the scene description that opens a corpus line ends (after the third box's period), or nil for a line
    /// that does not open with one (a caption). What follows is said about the scene; the description itself is a
    /// random list, so a trainer may treat it as context rather than as a target.
    public static func sceneDescriptionEnd(in line: Substring) -> Substring.Index? {
        guard line.hasPrefix("\(SceneDescriber.ordinal(0)) box: "),
              let last = line.range(of: "\(SceneDescriber.ordinal(Scene.boxCount - 1)) box: "),
              let period = line[last.upperBound...].firstIndex(of: ".") else { return nil }
        return line.index(after: period)
    }
}
