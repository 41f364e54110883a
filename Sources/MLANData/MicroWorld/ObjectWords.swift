/// How scene text names an object: in three words, as English does, or in one word that joins them.
///
/// An image gives each object one place (the patch it falls in); three words spread it over three tokens, and a
/// question that names an object by two of its attributes must first gather them at one position. The micro Llama
/// does not learn that gathering within the demo's budget, but it reads one-word objects within a few hundred
/// steps (Docs/RECIPE.md, "One word per object"). Questions, facts and answers always use the separate words.
public enum ObjectWords: String, Sendable, Hashable, CaseIterable, Codable {
    /// `"large blue circle"`.
    case separate
    /// `"largebluecircle"`: one pre-token, which the world's BPE learns as one token.
    case compound

    /// The object's name: size, colour and shape, separate or joined.
    public func name(of object: SceneObject) -> String {
        let words = [object.size.word, object.color.word, object.shape.rawValue]
        return words.joined(separator: self == .separate ? " " : "")
    }

    /// The names of all 27 kinds of object (every size, colour and shape).
    public var allNames: [String] {
        SceneSize.allCases.flatMap { size in
            SceneColor.allCases.flatMap { color in
                SceneShape.allCases.map { shape in
                    name(of: SceneObject(shape: shape, color: color, size: size, x: 0, y: 0))
                }
            }
        }
    }
}
