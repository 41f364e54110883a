/// The micro world's fixed phrasings of a scene: captions for alignment and descriptions that stand in for the
/// image in language-only tasks. Both list every object, box by box, left to right, as `"a large blue circle"` (or
/// `"a largebluecircle"` with ``ObjectWords/compound``).
public enum SceneDescriber {
    /// The word for box `box` (0-based): `"first"`, `"second"`, `"third"`.
    public static func ordinal(_ box: Int) -> String {
        precondition((0..<Scene.boxCount).contains(box), "box \(box) outside 0..<\(Scene.boxCount)")
        return ["first", "second", "third"][box]
    }

    /// The image's caption (stage-1 alignment target):
    /// `"a large blue circle and a small black square in the first box; a medium yellow triangle in the second box;
    /// a small black circle in the third box."`
    public static func caption(_ scene: Scene, words: ObjectWords = .separate) -> String {
        (0..<Scene.boxCount).map { box in
            let phrases = objectPhrases(scene, box: box, words: words)
            return (phrases.isEmpty ? "nothing" : list(phrases)) + " in the \(ordinal(box)) box"
        }.joined(separator: "; ") + "."
    }

    /// The scene in words, for language-only tasks (the text stands where the image would):
    /// `"first box: a large blue circle and a small black square. second box: a medium yellow triangle.
    /// third box: a small black circle."`
    public static func description(_ scene: Scene, words: ObjectWords = .separate) -> String {
        (0..<Scene.boxCount).map { box in
            let phrases = objectPhrases(scene, box: box, words: words)
            return "\(ordinal(box)) box: " + (phrases.isEmpty ? "nothing" : list(phrases)) + "."
        }.joined(separator: " ")
    }

    /// The box's objects as `"a large blue circle"`, left to right.
    public static func objectPhrases(_ scene: Scene, box: Int, words: ObjectWords = .separate) -> [String] {
        scene.readingOrder.filter { $0.box == box }.map { "a " + words.name(of: $0.object) }
    }

    /// `"a"`, `"a and b"`, `"a, b and c"`.
    public static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
    }
}
