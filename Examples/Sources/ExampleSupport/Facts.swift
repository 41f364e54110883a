import MLANData

/// Two small sources of question-answer facts (colours and shapes), as instruction records.
public enum Facts {
    /// Questions about colours.
    public static let colours: [(String, String)] = [
        ("What colour is the sky?", "blue"), ("What colour is grass?", "green"), ("What colour is snow?", "white"),
        ("What colour is coal?", "black"), ("What colour is a ripe banana?", "yellow"),
        ("What colour is a ripe tomato?", "red"), ("What colour is an orange?", "orange"),
        ("What colour are violets?", "purple"),
    ]

    /// Questions about shapes.
    public static let shapes: [(String, String)] = [
        ("How many sides has a triangle?", "three"), ("How many sides has a square?", "four"),
        ("How many sides has a pentagon?", "five"), ("How many sides has a hexagon?", "six"),
    ]

    /// `pairs` as single-turn records named `name-0`, `name-1`, ….
    public static func records(_ name: String, _ pairs: [(String, String)]) -> [InstructionRecord] {
        pairs.enumerated().map { index, pair in
            InstructionRecord(id: "\(name)-\(index)", turns: [Turn(.user, pair.0), Turn(.assistant, pair.1)],
                              location: RecordLocation(file: name, index: index))
        }
    }
}
