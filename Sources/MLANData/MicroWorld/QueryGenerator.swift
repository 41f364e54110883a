/// Draws a scene and a well-posed question of a given cluster about it: every query it returns has a non-nil
/// ``SceneQuery/answer(in:)``. Yes/no and true/false questions are balanced: the wanted answer is drawn once per
/// example, before any scene or question, and only questions with that answer are kept.
public struct QueryGenerator: Sendable {
    /// Question attempts per scene before another scene is drawn.
    public static let attemptsPerScene = 24

    /// The scenes questions are asked about.
    public var scenes: SceneGenerator

    public init(scenes: SceneGenerator = SceneGenerator()) {
        self.scenes = scenes
    }

    /// A scene and a question of `cluster` about it; the same generator state gives the same pair.
    public func example(_ cluster: MicroTaskCluster, using rng: inout SplitMix64) -> (scene: Scene, query: SceneQuery) {
        let wantYes = rng.nextInt(below: 2) == 0
        while true {
            let scene = scenes.scene(using: &rng)
            for _ in 0..<Self.attemptsPerScene {
                if let query = draw(cluster, in: scene, wantYes: wantYes, using: &rng), query.answer(in: scene) != nil {
                    return (scene, query)
                }
            }
        }
    }

    /// A well-posed question of `cluster` about the given scene, or nil when `attemptsPerScene` attempts find none.
    /// Yes/no questions are balanced as in ``example(_:using:)``.
    public func query(_ cluster: MicroTaskCluster, in scene: Scene, using rng: inout SplitMix64) -> SceneQuery? {
        let wantYes = rng.nextInt(below: 2) == 0
        for _ in 0..<Self.attemptsPerScene {
            if let query = draw(cluster, in: scene, wantYes: wantYes, using: &rng), query.answer(in: scene) != nil {
                return query
            }
        }
        return nil
    }

    /// One attempt; `wantYes` is the wanted answer of yes/no (true/false) questions.
    private func draw(_ cluster: MicroTaskCluster, in scene: Scene, wantYes: Bool,
                      using rng: inout SplitMix64) -> SceneQuery? {
        switch cluster {
        case .counting:
            return rng.nextInt(below: 4) == 0 ? .countInBox(rng.nextInt(below: Scene.boxCount))
                                              : .count(countingFilter(scene, using: &rng))
        case .attribute:
            let attribute = pick(SceneAttribute.allCases, &rng)
            guard let referent = referent(in: scene, excluding: attribute, using: &rng) else { return nil }
            return .attribute(attribute, of: referent)
        case .spatial:
            if rng.nextInt(below: 2) == 0 {
                return referent(in: scene, excluding: nil, using: &rng).map { .box(of: $0) }
            }
            guard let a = referent(in: scene, excluding: nil, using: &rng),
                  let b = referent(in: scene, excluding: nil, using: &rng) else { return nil }
            return .side(a, relativeTo: b)
        case .comparison:
            if rng.nextInt(below: 4) == 0 { return .mostObjectsBox }
            let (a, b) = contrastingFilters(using: &rng)
            return (scene.count(a) > scene.count(b)) == wantYes ? .more(a, than: b) : nil
        case .shortAnswer:
            let attribute = pick(SceneAttribute.allCases, &rng)
            if rng.nextInt(below: 3) == 0 {
                return .onlyObjectAttribute(attribute, box: rng.nextInt(below: Scene.boxCount))
            }
            return referent(in: scene, excluding: nil, using: &rng).map { .neighbourAttribute(attribute, rightOf: $0) }
        case .existence:
            return existence(scene, wantYes: wantYes, using: &rng)
        case .multipleChoice:
            return multipleChoice(scene, using: &rng)
        case .booleanStatement:
            return statement(scene, wantTrue: wantYes, using: &rng).map { .statement($0) }
        }
    }

    /// A filter for counting: usually one or two attributes of an object in the scene, sometimes random values
    /// (which may count zero), sometimes every object.
    private func countingFilter(_ scene: Scene, using rng: inout SplitMix64) -> SceneFilter {
        switch rng.nextInt(below: 10) {
        case 0: return .any
        case 1, 2: return SceneFilter(color: pick(SceneColor.allCases, &rng), shape: pick(SceneShape.allCases, &rng))
        default:
            let object = pick(scene.readingOrder, &rng).object
            let subsets: [[SceneAttribute]] = [[.color], [.shape], [.size], [.color, .shape], [.size, .shape]]
            return SceneFilter(describing: object, by: pick(subsets, &rng))
        }
    }

    /// The shortest unique description of a random object that leaves `excluded` open, or nil if the object has
    /// none. Shape-bearing descriptions come first so the phrase names a thing (`"the large circle"`).
    private func referent(in scene: Scene, excluding excluded: SceneAttribute?,
                          using rng: inout SplitMix64) -> SceneFilter? {
        let all: [[SceneAttribute]] = [[.shape], [.color, .shape], [.size, .shape], [.color], [.size],
                                       [.size, .color], [.size, .color, .shape]]
        let candidates = all.filter { attributes in excluded.map { !attributes.contains($0) } ?? true }
        return scene.uniqueFilter(for: pick(scene.readingOrder, &rng), trying: candidates)
    }

    /// Two filters of the same kind with different values: two colours or two shapes.
    private func contrastingFilters(using rng: inout SplitMix64) -> (SceneFilter, SceneFilter) {
        if rng.nextInt(below: 2) == 0 {
            let colors = rng.sample(SceneColor.allCases, count: 2)
            return (SceneFilter(color: colors[0]), SceneFilter(color: colors[1]))
        }
        let shapes = rng.sample(SceneShape.allCases, count: 2)
        return (SceneFilter(shape: shapes[0]), SceneFilter(shape: shapes[1]))
    }

    /// POPE-like: a colour-and-shape (sometimes with size) that is present, or one that is absent.
    private func existence(_ scene: Scene, wantYes: Bool, using rng: inout SplitMix64) -> SceneQuery? {
        let filter = SceneFilter.probe(among: scene.readingOrder.map(\.object), present: wantYes, using: &rng)
        return wantYes || scene.count(filter) == 0 ? .exists(filter) : nil
    }

    /// ScienceQA-like: a counting, attribute or box question with three lettered options, one of them right.
    private func multipleChoice(_ scene: Scene, using rng: inout SplitMix64) -> SceneQuery? {
        let inner: SceneQuery
        var options: [String]
        switch rng.nextInt(below: 3) {
        case 0:
            let attribute = pick(SceneAttribute.allCases, &rng)
            guard let referent = referent(in: scene, excluding: attribute, using: &rng) else { return nil }
            inner = .attribute(attribute, of: referent)
            options = switch attribute {
            case .color: SceneColor.allCases.map(\.word)
            case .shape: SceneShape.allCases.map(\.rawValue)
            case .size: SceneSize.allCases.map(\.word)
            }
        case 1:
            guard let referent = referent(in: scene, excluding: nil, using: &rng) else { return nil }
            inner = .box(of: referent)
            options = (0..<Scene.boxCount).map(SceneDescriber.ordinal)
        default:
            inner = .count(countingFilter(scene, using: &rng))
            guard let answer = inner.answer(in: scene).flatMap(Int.init) else { return nil }
            let others = (0...max(answer + 2, 4)).filter { $0 != answer }
            options = [String(answer)] + rng.sample(others, count: 2).map(String.init)
        }
        rng.shuffle(&options)
        return .choice(inner, options: options)
    }

    /// NLVR/BoolQ-like: a statement of one of three kinds that is true (or false) in the scene.
    private func statement(_ scene: Scene, wantTrue: Bool, using rng: inout SplitMix64) -> SceneStatement? {
        let statement: SceneStatement
        switch rng.nextInt(below: 3) {
        case 0:
            let filter = countingFilter(scene, using: &rng)
            let count = scene.count(filter)
            let claimed = wantTrue ? count : (count == 0 || rng.nextInt(below: 2) == 0 ? count + 1 : count - 1)
            statement = .exactly(claimed, filter)
        case 1:
            let filter = rng.nextInt(below: 2) == 0
                ? SceneFilter(color: pick(SceneColor.allCases, &rng), shape: pick(SceneShape.allCases, &rng))
                : SceneFilter(describing: pick(scene.readingOrder, &rng).object, by: [.color, .shape])
            statement = .boxContains(rng.nextInt(below: Scene.boxCount), filter)
        default:
            let filter = rng.nextInt(below: 2) == 0 ? SceneFilter(color: pick(SceneColor.allCases, &rng))
                                                    : SceneFilter(shape: pick(SceneShape.allCases, &rng))
            statement = .everyBoxContains(filter)
        }
        return statement.holds(in: scene) == wantTrue ? statement : nil
    }

    private func pick<Element>(_ array: [Element], _ rng: inout SplitMix64) -> Element {
        array[rng.nextInt(below: array.count)]
    }
}
