import Foundation
import MLANCore

/// Reads LLaVA's ScienceQA test file (the ``DocumentFormat/scienceQA`` format).
enum ScienceQAReader {
    /// Reads `llava_test_CQM-A.json` and keeps the questions with an image. A human turn is `<image>\n`,
    /// an optional `Context: {hint}\n`, the question, then one `X. option` line per choice; with a context,
    /// the question is the body's last line.
    /// - Throws: `EvalError` naming the record whose turn does not have that shape.
    static func read(_ url: URL) throws -> [TaskDocument] {
        try DocumentReader.read(url, format: .json).compactMap { record -> TaskDocument? in
            guard record.fields["image"] != nil else { return nil }
            func invalid(_ field: String, _ reason: String) -> EvalError {
                EvalError.invalidField(path: record.source, record: record.record, field: field, reason: reason)
            }
            let human = try record.string(at: "conversations.0.value")
            let gold = try record.string(at: "conversations.1.value")
            guard human.hasPrefix("<image>\n") else { throw invalid("conversations.0.value", "does not start with <image>") }
            var lines = human.dropFirst("<image>\n".count).components(separatedBy: "\n")
            var options: [String] = [], letters: [Int] = []
            while let last = lines.last, let letter = optionLetter(last) {
                options.insert(String(last.dropFirst(3)), at: 0)
                letters.insert(letter, at: 0)
                lines.removeLast()
                if letter == 0 { break }
            }
            guard options.count >= 2, letters == Array(0..<options.count) else {
                throw invalid("conversations.0.value", "does not end with option lines A. … B. …")
            }
            guard let answer = (0..<options.count).first(where: { MapToOptionLetter.letter($0) == gold }) else {
                throw invalid("conversations.1.value", "\"\(gold)\" is not an option letter")
            }
            let body = lines.joined(separator: "\n")
            var hint = "", question = body
            if body.hasPrefix("Context: "), let split = body.lastIndex(of: "\n") {
                hint = String(body[body.index(body.startIndex, offsetBy: 9)..<split])
                question = String(body[body.index(after: split)...])
            }
            return TaskDocument(fields: [
                "id": .string(try record.string(at: "id")), "image": .string(try record.string(at: "image")),
                "hint": .string(hint), "context_line": .string(hint.isEmpty ? "" : "Context: \(hint)\n"),
                "question": .string(question), "choices": .array(options.map(JSONValue.string)), "answer": .int(answer),
            ], source: record.source, record: record.record)
        }
    }

    /// The index of an option line's letter (`B. text` → 1), or nil for any other line.
    private static func optionLetter(_ line: String) -> Int? {
        let scalars = Array(line.unicodeScalars.prefix(3))
        guard scalars.count == 3, (65...90).contains(scalars[0].value), scalars[1] == ".", scalars[2] == " " else {
            return nil
        }
        return Int(scalars[0].value) - 65
    }
}
