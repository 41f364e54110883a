import Foundation
import MLANCore

/// Reads WinoGrande's instruction-format release (the ``DocumentFormat/winograndeSentences`` format).
enum WinoGrandeReader {
    /// The documents with the original sentence (blank as `_`) and both options, for the `mlan` protocol:
    /// `sentence`, `options`, `answer` (0 or 1). The sentence and options come from `instructions`
    /// (`test_instruction_format.json`) and are checked record by record against the `winogrande.jsonl`
    /// in the same folder.
    /// - Throws: `EvalError` naming the file and record where the two files disagree or cannot be parsed.
    static func sentenceDocuments(instructions: URL) throws -> [TaskDocument] {
        let partial = instructions.deletingLastPathComponent().appendingPathComponent("winogrande.jsonl")
        let records = try DocumentReader.read(instructions, format: .json)
        let scored = try DocumentReader.read(partial, format: .jsonl)
        guard records.count == scored.count else {
            throw EvalError.invalidField(path: instructions.path, record: .file, field: "(records)",
                                         reason: "\(records.count) records but \(partial.lastPathComponent) has \(scored.count)")
        }
        return try zip(records, scored).map { record, partialRecord in
            func invalid(_ field: String, _ reason: String) -> EvalError {
                EvalError.invalidField(path: record.source, record: record.record, field: field, reason: reason)
            }
            let instruction = try record.string(at: "instruction")
            let parts = try split(instruction, ["sentence: ", "\n\nOption1: ", " Option2: ", " Answer format:"],
                                  invalid: { invalid("instruction", $0) })
            let sentence = parts[0], options = [parts[1], parts[2]]
            guard let blank = sentence.firstIndex(of: "_") else { throw invalid("instruction", "the sentence has no blank") }
            let answer = try record.string(at: "answer")
            guard let gold = ["option1", "option2"].firstIndex(of: answer) else {
                throw invalid("answer", "expected option1 or option2, found \"\(answer)\"")
            }
            let contexts = try partialRecord.strings(at: "context_options")
            let rest = sentence[sentence.index(after: blank)...].trimmingCharacters(in: .whitespacesAndNewlines)
            guard contexts == options.map({ String(sentence[..<blank]) + $0 }),
                  try partialRecord.string(at: "continuation") == rest,
                  try partialRecord.value(at: "gold").intValue == gold else {
                throw invalid("instruction", "disagrees with \(partial.lastPathComponent) \(partialRecord.record)")
            }
            return TaskDocument(fields: ["sentence": .string(sentence), "options": .array(options.map(JSONValue.string)),
                                         "answer": .int(gold)],
                                source: record.source, record: record.record)
        }
    }

    /// The text between consecutive markers (and after the first); the last marker ends the last piece.
    private static func split(_ text: String, _ markers: [String], invalid: (String) -> EvalError) throws -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        for (offset, marker) in markers.enumerated() {
            guard let range = rest.range(of: marker) else { throw invalid("expected \"\(marker)\"") }
            if offset > 0 { pieces.append(String(rest[..<range.lowerBound])) }
            rest = rest[range.upperBound...]
        }
        return pieces
    }
}
