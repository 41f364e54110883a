/// A yes/no or true/false question about a scene for stage 0's warm-up, its verdict asked last so that a language
/// model can learn to reach it (the corpus's facts state theirs first: `there is no yellow triangle.`).
///
/// Each kind carries a held-out cluster's skill in another cluster's answer format, so skill and format meet in
/// training but never together: presence (existence's skill, answered yes/no there) is judged true or false here;
/// a box's contents (a statement's skill, true/false there) are answered yes or no.
public enum SceneJudgement: Sendable, Hashable {
    /// "Is it true that there is a yellow circle?" → `"true"` or `"false"`.
    case presence(SceneFilter)
    /// "Does the second box contain a yellow circle?" → `"yes"` or `"no"`.
    case boxContains(Int, SceneFilter)
    /// "Does every box contain a yellow object?" → `"yes"` or `"no"`.
    case everyBoxContains(SceneFilter)

    /// The question's text.
    public var question: String {
        switch self {
        case .presence(let filter): "Is it true that there is \(filter.withArticle)?"
        case .boxContains(let box, let filter):
            "Does the \(SceneDescriber.ordinal(box)) box contain \(filter.withArticle)?"
        case .everyBoxContains(let filter): "Does every box contain \(filter.withArticle)?"
        }
    }

    /// True when the judged claim holds in `scene`.
    public func holds(in scene: Scene) -> Bool {
        switch self {
        case .presence(let filter): scene.count(filter) > 0
        case .boxContains(let box, let filter): scene.boxes[box].contains(where: filter.matches)
        case .everyBoxContains(let filter): scene.boxes.allSatisfy { $0.contains(where: filter.matches) }
        }
    }

    /// The verdict in the kind's format: `true`/`false` for presence, `yes`/`no` for the others.
    public func answer(in scene: Scene) -> String {
        let holds = holds(in: scene)
        if case .presence = self { return holds ? "true" : "false" }
        return holds ? "yes" : "no"
    }

    /// A judgement of a random kind whose claim holds in `scene` exactly when `wantTrue`, or nil when
    /// ``QueryGenerator/attemptsPerScene`` attempts find none.
    public static func draw(in scene: Scene, wantTrue: Bool, using rng: inout SplitMix64) -> SceneJudgement? {
        let kind = rng.nextInt(below: 3)
        for _ in 0..<QueryGenerator.attemptsPerScene {
            let judgement: SceneJudgement
            switch kind {
            case 0:
                judgement = .presence(.probe(among: scene.readingOrder.map(\.object), present: wantTrue, using: &rng))
            case 1:
                let box = rng.nextInt(below: Scene.boxCount)
                judgement = .boxContains(box, .probe(among: scene.boxes[box], present: wantTrue, using: &rng))
            default:
                judgement = .everyBoxContains(rng.nextInt(below: 2) == 0
                    ? SceneFilter(color: SceneColor.allCases[rng.nextInt(below: SceneColor.allCases.count)])
                    : SceneFilter(shape: SceneShape.allCases[rng.nextInt(below: SceneShape.allCases.count)]))
            }
            if judgement.holds(in: scene) == wantTrue { return judgement }
        }
        return nil
    }
}
