import Foundation
import MLANCore

/// Reads HellaSwag's `hellaswag_val_full.txt` (the ``DocumentFormat/hellaswag`` format).
enum HellaSwagReader {
    /// Reads `hellaswag_val_full.txt`: six lines per item (context, gold index 0-3, four endings).
    /// - Throws: `EvalError.invalidField` naming the line of a bad index or a truncated item.
    static func read(_ url: URL) throws -> [TaskDocument] {
        let bytes = try DocumentReader.contents(of: url)
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count % 6 == 0 else {
            throw EvalError.invalidField(path: url.path, record: .line(lines.count), field: "endings",
                                         reason: "\(lines.count) lines is not a whole number of 6-line items")
        }
        return try stride(from: 0, to: lines.count, by: 6).map { start in
            guard let label = Int(lines[start + 1]), (0..<4).contains(label) else {
                throw EvalError.invalidField(path: url.path, record: .line(start + 2), field: "label",
                                             reason: "expected a gold index 0-3, found \"\(lines[start + 1])\"")
            }
            let endings = lines[(start + 2)..<(start + 6)].map { JSONValue.string(String($0)) }
            return TaskDocument(fields: ["query": .string(String(lines[start])), "label": .int(label),
                                         "choices": .array(endings)],
                                source: url.path, record: .line(start + 1))
        }
    }
}
