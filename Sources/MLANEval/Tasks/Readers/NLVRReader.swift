import Foundation
import MLANCore

/// Which NLVR image a statement is evaluated against.
public enum NLVRImageSelection: String, Sendable, CaseIterable {
    /// The image of permutation 0 only: 990 documents (the default).
    case first
    /// All six box permutations, each its own document: 5940 documents.
    case all
}

/// Reads NLVR's `test.json` (the ``DocumentFormat/nlvr`` and ``DocumentFormat/nlvrAllPermutations`` formats).
enum NLVRReader {
    /// Reads NLVR's `test.json` (JSON Lines): fields `id` (`identifier`, plus `-k` with all permutations),
    /// `sentence`, `answer` (`yes` for a true statement), `image` (`images/{directory}/test-{identifier}-{k}.png`).
    /// - Throws: `EvalError` naming the line of a record without a usable label, identifier or directory.
    static func read(_ url: URL, images: NLVRImageSelection) throws -> [TaskDocument] {
        try DocumentReader.read(url, format: .jsonl).flatMap { record -> [TaskDocument] in
            let label = try record.string(at: "label")
            guard label == "true" || label == "false" else {
                throw EvalError.invalidField(path: record.source, record: record.record, field: "label",
                                             reason: "expected \"true\" or \"false\", found \"\(label)\"")
            }
            let identifier = try record.string(at: "identifier")
            let directory = try record.string(at: "directory")
            let sentence = try record.string(at: "sentence")
            let permutations = images == .first ? [0] : Array(0..<6)
            return permutations.map { permutation in
                TaskDocument(fields: [
                    "id": .string(images == .first ? identifier : "\(identifier)-\(permutation)"),
                    "sentence": .string(sentence), "answer": .string(label == "true" ? "yes" : "no"),
                    "image": .string("images/\(directory)/test-\(identifier)-\(permutation).png"),
                ], source: record.source, record: record.record)
            }
        }
    }
}
