import MLANData

/// A minimal chat format, `Q: question\nA: answer\n`, to show that a template is any type conforming to
/// `ConversationTemplate`: the answer and its newline are the supervised targets; a system turn, if any,
/// is a first line of its own.
public struct QATemplate: ConversationTemplate {
    /// `"qa"`.
    public let name = "qa"

    /// A template value.
    public init() {}

    /// `Q: … \nA:` per user turn and ` answer\n` (a target) per assistant turn; with `addGenerationPrompt`
    /// the segments end after the last `A:`.
    public func segments(for turns: [Turn], addGenerationPrompt: Bool) -> [Segment] {
        turns.map { turn in
            switch turn.role {
            case .system: Segment(.text(turn.text + "\n"))
            case .user: Segment(.text("Q: " + turn.text + "\nA:"))
            case .assistant: Segment(.text(" " + turn.text + "\n"), isTarget: true)
            }
        }
    }
}
