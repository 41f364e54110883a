/// A description that picks out objects: any of size, colour and shape (nil means "any").
///
/// Its text is a noun phrase in the order size, colour, shape: `"large blue circle"`, `"blue object"`,
/// `"circles"`, `"objects"`.
public struct SceneFilter: Sendable, Hashable, Codable {
    public var size: SceneSize?
    public var color: SceneColor?
    public var shape: SceneShape?

    public init(size: SceneSize? = nil, color: SceneColor? = nil, shape: SceneShape? = nil) {
        self.size = size
        self.color = color
        self.shape = shape
    }

    /// The filter that keeps `object`'s values of `attributes` and leaves the rest open.
    public init(describing object: SceneObject, by attributes: [SceneAttribute]) {
        self.init(size: attributes.contains(.size) ? object.size : nil,
                  color: attributes.contains(.color) ? object.color : nil,
                  shape: attributes.contains(.shape) ? object.shape : nil)
    }

    /// A colour and shape to ask about, a quarter of the time with a size: one of `objects`' when `present` (and
    /// there is one), else drawn at random, so it may still be present. Existence questions and presence judgements
    /// name what they ask about this way.
    static func probe(among objects: [SceneObject], present: Bool, using rng: inout SplitMix64) -> SceneFilter {
        let withSize = rng.nextInt(below: 4) == 0
        if present, !objects.isEmpty {
            let object = objects[rng.nextInt(below: objects.count)]
            return SceneFilter(describing: object, by: withSize ? [.size, .color, .shape] : [.color, .shape])
        }
        return SceneFilter(size: withSize ? SceneSize.allCases[rng.nextInt(below: SceneSize.allCases.count)] : nil,
                           color: SceneColor.allCases[rng.nextInt(below: SceneColor.allCases.count)],
                           shape: SceneShape.allCases[rng.nextInt(below: SceneShape.allCases.count)])
    }

    /// The filter that matches every object.
    public static let any = SceneFilter()

    /// True when `object` has every value the filter names.
    public func matches(_ object: SceneObject) -> Bool {
        (size == nil || size == object.size) && (color == nil || color == object.color)
            && (shape == nil || shape == object.shape)
    }

    /// True when the filter names `attribute`.
    public func constrains(_ attribute: SceneAttribute) -> Bool {
        switch attribute {
        case .size: size != nil
        case .color: color != nil
        case .shape: shape != nil
        }
    }

    /// The singular noun phrase without an article: `"large blue circle"`, `"small object"`, `"object"`.
    public var singular: String { words(noun: shape?.rawValue ?? "object") }

    /// The plural noun phrase: `"large blue circles"`, `"objects"`.
    public var plural: String { words(noun: shape?.plural ?? "objects") }

    /// The singular phrase with `a` or `an`: `"a blue circle"`, `"an object"`.
    public var withArticle: String {
        let phrase = singular
        return ("aeiou".contains(phrase.first ?? "x") ? "an " : "a ") + phrase
    }

    /// The number and the noun phrase that agrees with it: `"1 circle"`, `"3 blue circles"`.
    public func counted(_ count: Int) -> String { "\(count) " + (count == 1 ? singular : plural) }

    private func words(noun: String) -> String {
        [size?.word, color?.word, noun].compactMap { $0 }.joined(separator: " ")
    }
}
