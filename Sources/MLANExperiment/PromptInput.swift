import MLANData

/// What a command asks a model to continue: text (optionally wrapped as a chat user turn) or explicit token ids.
public enum PromptInput: Sendable, Equatable {
    /// Text; with `chat`, the text becomes a user turn of `template` followed by the assistant's generation prompt.
    case text(String, chat: Bool, template: String = "chatml")
    /// Token ids, used as they are.
    case ids([Int])

    /// Parses comma-separated token ids (`"1, 2,3"`).
    /// - Throws: `ExperimentError.invalidSetting` naming the flag when a part is not an integer or nothing is given.
    public static func parseIDs(_ text: String, field: String = "--ids") throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let ids = parts.compactMap { Int($0) }
        guard !parts.isEmpty, ids.count == parts.count else {
            throw ExperimentError.invalidSetting(field: field, reason: "expected comma-separated integers, got '\(text)'")
        }
        return ids
    }

    /// The prompt as text (a chat prompt rendered with its template); nil for `.ids`.
    /// - Throws: `TemplateError` for an unknown template.
    public func renderedText(imageFirst: Bool = false) throws -> String? {
        guard case .text(var text, let chat, let template) = self else { return nil }
        if imageFirst && !text.contains(InstructionRecord.imageToken) { text = InstructionRecord.imageToken + "\n" + text }
        guard chat else { return text }
        return try BuiltinTemplates.named(template).render([Turn(.user, text)], addGenerationPrompt: true)
    }

    /// The token ids of the prompt (text is encoded without special tokens).
    /// - Throws: `TemplateError` for an unknown template.
    public func ids(tokenizer: any Tokenizer) throws -> [Int] {
        if case .ids(let ids) = self { return ids }
        return tokenizer.encode(try renderedText() ?? "", addSpecialTokens: false)
    }
}
