/// One object in a box: its shape, colour and size, and where its bounding square sits.
///
/// Coordinates are NLVR's: a box is 100 × 100 units, `(x, y)` is the bounding square's top-left corner
/// (y grows downwards), and the square's side is `size.rawValue`. Codable with NLVR's `structured_rep` keys
/// (`x_loc`, `y_loc`, `size`, `type`, `color`).
public struct SceneObject: Sendable, Hashable {
    /// The side of a box, in units.
    public static let boxSide = 100

    public var shape: SceneShape
    public var color: SceneColor
    public var size: SceneSize
    /// Left edge of the bounding square, in box units.
    public var x: Int
    /// Top edge of the bounding square, in box units.
    public var y: Int

    public init(shape: SceneShape, color: SceneColor, size: SceneSize, x: Int, y: Int) {
        self.shape = shape
        self.color = color
        self.size = size
        self.x = x
        self.y = y
    }

    /// The bounding square's side, in box units.
    public var side: Int { size.rawValue }

    /// The horizontal centre, in box units.
    public var centerX: Double { Double(x) + Double(side) / 2 }

    /// `"large blue circle"`: size, colour and shape.
    public var phrase: String { ObjectWords.separate.name(of: self) }

    /// True when the two bounding squares, each grown by `margin` units, overlap.
    public func overlaps(_ other: SceneObject, margin: Int = 0) -> Bool {
        x < other.x + other.side + margin && other.x < x + side + margin
            && y < other.y + other.side + margin && other.y < y + side + margin
    }

    /// The attribute's value as its text word (`"blue"`, `"circle"`, `"large"`).
    public func word(for attribute: SceneAttribute) -> String {
        switch attribute {
        case .color: color.word
        case .shape: shape.rawValue
        case .size: size.word
        }
    }
}

extension SceneObject: Codable {
    private enum Key: String, CodingKey {
        case x = "x_loc", y = "y_loc", size, shape = "type", color
    }

    /// Decodes one NLVR object. Unknown shapes, colours and sizes (anything but 10, 20, 30) are errors,
    /// as are coordinates outside the box.
    /// - Throws: `DecodingError` naming the key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let side = try c.decode(Int.self, forKey: .size)
        guard let size = SceneSize(rawValue: side) else {
            throw DecodingError.dataCorruptedError(forKey: .size, in: c,
                                                   debugDescription: "size \(side) is not 10, 20 or 30")
        }
        let shapeName = try c.decode(String.self, forKey: .shape)
        guard let shape = SceneShape(rawValue: shapeName) else {
            throw DecodingError.dataCorruptedError(forKey: .shape, in: c,
                                                   debugDescription: "unknown shape \"\(shapeName)\"")
        }
        let colorName = try c.decode(String.self, forKey: .color)
        guard let color = SceneColor(rawValue: colorName) else {
            throw DecodingError.dataCorruptedError(forKey: .color, in: c,
                                                   debugDescription: "unknown colour \"\(colorName)\"")
        }
        let x = try c.decode(Int.self, forKey: .x), y = try c.decode(Int.self, forKey: .y)
        for (value, key) in [(x, Key.x), (y, Key.y)] where value < 0 || value + side > Self.boxSide {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription:
                "\(key.rawValue) \(value) puts a size-\(side) object outside the \(Self.boxSide)-unit box")
        }
        self.init(shape: shape, color: color, size: size, x: x, y: y)
    }

    /// Encodes the object with NLVR's keys and spellings.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(x, forKey: .x)
        try c.encode(y, forKey: .y)
        try c.encode(size.rawValue, forKey: .size)
        try c.encode(shape.rawValue, forKey: .shape)
        try c.encode(color.rawValue, forKey: .color)
    }
}
