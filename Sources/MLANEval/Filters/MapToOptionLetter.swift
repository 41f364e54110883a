import Foundation

/// Maps an answer to the letter of the option it names (`A` for the first of the document's choices).
///
/// In order: an answer whose normalized text (lower case, no punctuation, single spaces) equals one option's
/// gives that option's letter; a bare letter in range, alone or as `(B)`, `B.`, `B:`, `B)` or `B. text`, gives
/// itself; an answer that starts with exactly one option's text, or else contains exactly one, gives that
/// option's letter. Anything else is returned unchanged, so it fails an exact match against a letter.
/// A capital `A` followed by a space (`A dog`) is read as text, not as the letter.
public struct MapToOptionLetter: ElementwiseFilter {
    /// The step's name in reports.
    public let name = "map_letter"
    /// A letter-mapping step.
    public init() {}

    /// The filtered response.
    public func apply(_ response: String, context: FilterContext) -> String {
        let choices = context.choices
        guard !choices.isEmpty else { return response }
        let answer = Self.normalized(response)
        let options = choices.map(Self.normalized)
        if let index = Self.only(options.indices.filter { !options[$0].isEmpty && options[$0] == answer }) {
            return Self.letter(index)
        }
        if let index = Self.letterIndex(in: response.trimmingCharacters(in: .whitespacesAndNewlines)),
           index < choices.count {
            return Self.letter(index)
        }
        guard !answer.isEmpty else { return response }
        let padded = " \(answer) "
        if let index = Self.only(options.indices.filter { !options[$0].isEmpty && padded.hasPrefix(" \(options[$0]) ") }) {
            return Self.letter(index)
        }
        if let index = Self.only(options.indices.filter { !options[$0].isEmpty && padded.contains(" \(options[$0]) ") }) {
            return Self.letter(index)
        }
        return response
    }

    /// The letter for option `index`: 0 → `A`, 25 → `Z`, then as spreadsheet columns (26 → `AA`), so a
    /// document with many choices never runs out of labels.
    /// - Precondition: `index >= 0` (callers pass positions in a list).
    public static func letter(_ index: Int) -> String {
        precondition(index >= 0, "option index \(index) is negative")
        let last = String(UnicodeScalar(UInt8(65 + index % 26)))
        return index < 26 ? last : letter(index / 26 - 1) + last
    }

    /// Lower case, punctuation removed, whitespace runs collapsed to one space, trimmed.
    static func normalized(_ text: String) -> String {
        RemovePunctuation.removingPunctuation(text.lowercased())
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The index of a leading option letter: `B`, `(B)`, `B.`, `B:`, `B)`, or one of those followed by text
    /// after a delimiter (`B. Maryland`); nil when the text does not start that way.
    static func letterIndex(in text: String) -> Int? {
        var rest = Substring(text)
        let parenthesized = rest.first == "("
        if parenthesized { rest = rest.dropFirst() }
        guard let first = rest.first, let ascii = first.asciiValue, (65...90).contains(ascii) else { return nil }
        let index = Int(ascii - 65)
        rest = rest.dropFirst()
        if parenthesized {
            guard rest.first == ")" else { return nil }
            rest = rest.dropFirst()
            guard let next = rest.first else { return index }
            return next.isWhitespace || ".:".contains(next) ? index : nil
        }
        guard let next = rest.first else { return index }
        return ".:)".contains(next) ? index : nil
    }

    private static func only(_ indices: [Int]) -> Int? {
        indices.count == 1 ? indices[0] : nil
    }
}
