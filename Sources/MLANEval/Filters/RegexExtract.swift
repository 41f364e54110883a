import Foundation
import MLANCore

/// Extracts an answer with a regular expression, as lm-eval's `regex` filter does: it finds every match,
/// picks the `groupSelect`-th (negative counts from the end), and returns its capture group `group` (nil: the
/// only group, the first non-empty one when there are several, or the whole match when there are none),
/// stripped of surrounding whitespace; with no match it returns `fallback`.
///
/// ```swift
/// let answer = try RegexExtract(pattern: #"The answer is \(?([A-D])"#)
/// answer.apply("The answer is (C).", context: FilterContext())   // "C"
/// ```
public struct RegexExtract: ElementwiseFilter {
    /// The step's name in reports.
    public let name = "regex"
    /// The pattern (ICU syntax, which agrees with Python's `re` for the usual extraction patterns).
    public let pattern: String
    /// Which match to use: 0 the first, -1 the last.
    public let groupSelect: Int
    /// Which capture group to return; nil picks the first non-empty one.
    public let group: Int?
    /// Returned when nothing matches (lm-eval's default is `[invalid]`).
    public let fallback: String
    private let expression: NSRegularExpression

    /// A regex step.
    /// - Throws: `EvalError.invalidRegex` when `pattern` does not compile or `group` exceeds its groups.
    public init(pattern: String, groupSelect: Int = 0, group: Int? = nil, fallback: String = "[invalid]") throws {
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            throw EvalError.invalidRegex(pattern: pattern, reason: InputFile.reason(for: error))
        }
        if let group, group < 0 || group > expression.numberOfCaptureGroups {
            throw EvalError.invalidRegex(
                pattern: pattern, reason: "group \(group) requested, the pattern has \(expression.numberOfCaptureGroups)")
        }
        self.pattern = pattern
        self.groupSelect = groupSelect
        self.group = group
        self.fallback = fallback
    }

    /// The filtered response.
    public func apply(_ response: String, context: FilterContext) -> String {
        let whole = NSRange(response.startIndex..., in: response)
        let matches = expression.matches(in: response, range: whole)
        let position = groupSelect < 0 ? matches.count + groupSelect : groupSelect
        guard matches.indices.contains(position) else { return fallback }
        let match = matches[position]
        let extracted: String?
        if let group {
            extracted = Self.substring(response, match.range(at: group)) ?? ""
        } else if match.numberOfRanges == 1 {
            extracted = Self.substring(response, match.range)
        } else if match.numberOfRanges == 2 {
            extracted = Self.substring(response, match.range(at: 1)) ?? ""
        } else {
            extracted = (1..<match.numberOfRanges).lazy
                .compactMap { Self.substring(response, match.range(at: $0)) }.first { !$0.isEmpty }
        }
        return extracted?.trimmingCharacters(in: .whitespacesAndNewlines) ?? fallback
    }

    private static func substring(_ text: String, _ range: NSRange) -> String? {
        guard range.location != NSNotFound, let bounds = Range(range, in: text) else { return nil }
        return String(text[bounds])
    }
}
