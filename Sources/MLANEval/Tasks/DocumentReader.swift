import Foundation
import MLANCore

/// One document as read from a dataset file: its fields, and where it came from (for error messages).
public struct TaskDocument: Sendable, Equatable {
    /// The fields (a JSON object).
    public var fields: JSONValue
    /// The file it was read from.
    public var source: String
    /// Its line or index in that file.
    public var record: RecordLocation

    /// A document with `fields` read from `source` at `record`.
    public init(fields: JSONValue, source: String, record: RecordLocation) {
        self.fields = fields
        self.source = source
        self.record = record
    }

    /// The value at a dotted `path` (see ``FieldPath``).
    /// - Throws: `EvalError.missingField` naming the file, record and path.
    public func value(at path: String) throws -> JSONValue {
        guard let value = FieldPath.resolve(path, in: fields) else {
            throw EvalError.missingField(path: source, record: record, field: path)
        }
        return value
    }

    /// The string at `path`.
    /// - Throws: `EvalError.missingField`, or `EvalError.invalidField` when it is not a string.
    public func string(at path: String) throws -> String {
        let value = try value(at: path)
        guard let text = value.stringValue else {
            throw EvalError.invalidField(path: source, record: record, field: path,
                                         reason: "expected a string, found \(value.kindName)")
        }
        return text
    }

    /// The array of strings at `path`.
    /// - Throws: `EvalError.missingField`, or `EvalError.invalidField` when it is not an array of strings.
    public func strings(at path: String) throws -> [String] {
        let value = try value(at: path)
        guard let texts = value.arrayValue?.compactMap(\.stringValue), texts.count == value.arrayValue?.count else {
            throw EvalError.invalidField(path: source, record: record, field: path,
                                         reason: "expected an array of strings, found \(value.kindName)")
        }
        return texts
    }
}

/// Dotted paths into JSON documents: `question.stem`; an integer segment indexes an array
/// (`choices.0`); any other segment applied to an array maps over its elements (`question.choices.text`
/// is the list of every choice's text, like Hugging Face's columnar `choices.text`).
public enum FieldPath {
    /// The value at `path` in `value`, or nil when a segment is missing.
    public static func resolve(_ path: String, in value: JSONValue) -> JSONValue? {
        var current = value
        for segment in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            if let index = Int(segment), let elements = current.arrayValue {
                guard elements.indices.contains(index) else { return nil }
                current = elements[index]
            } else if let elements = current.arrayValue {
                var mapped: [JSONValue] = []
                for element in elements {
                    guard let member = element[segment] else { return nil }
                    mapped.append(member)
                }
                current = .array(mapped)
            } else if let member = current[segment] {
                current = member
            } else {
                return nil
            }
        }
        return current
    }
}

/// Reads dataset files into ``TaskDocument``s, failing on the first bad record with its file and line.
public enum DocumentReader {
    /// Every record of `url` (a file, or a folder for the RACE formats) in file order.
    /// - Throws: `EvalError.unreadableFile`, or `EvalError.invalidJSON` naming the line (JSONL) or index
    ///   (JSON array) of the first record that is not a JSON object. Empty lines at the end of a JSONL file
    ///   are allowed; an empty line before the last record is an error. The other formats' readers throw
    ///   `EvalError` naming the file, record and field of the first bad record.
    public static func read(_ url: URL, format: DocumentFormat) throws -> [TaskDocument] {
        switch format {
        case .jsonl: return try readLines(try contents(of: url), path: url.path)
        case .json: return try readArray(try contents(of: url), path: url.path)
        case .hellaswag: return try HellaSwagReader.read(url)
        case .raceArticles: return try RaceArticle.articleDocuments(in: url)
        case .raceQuestions: return try RaceArticle.questionDocuments(in: url)
        case .winograndeSentences: return try WinoGrandeReader.sentenceDocuments(instructions: url)
        case .scienceQA: return try ScienceQAReader.read(url)
        case .nlvr: return try NLVRReader.read(url, images: .first)
        case .nlvrAllPermutations: return try NLVRReader.read(url, images: .all)
        }
    }

    /// The bytes of `url`.
    /// - Throws: `EvalError.unreadableFile`.
    public static func contents(of url: URL) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw EvalError.unreadableFile(path: url.path, reason: InputFile.reason(for: error))
        }
    }

    /// One parsed JSON value from `bytes`, errors naming `path` and `record`.
    /// - Throws: `EvalError.invalidJSON`.
    public static func parse(_ bytes: ArraySlice<UInt8>, path: String, record: RecordLocation) throws -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw EvalError.invalidJSON(path: path, record: record, reason: error.description)
        }
    }

    private static func readLines(_ bytes: [UInt8], path: String) throws -> [TaskDocument] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { $0.last == 0x0D ? $0.dropLast() : $0 }
        while let last = lines.last, last.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.removeLast() }
        return try lines.enumerated().map { offset, line in
            let record = RecordLocation.line(offset + 1)
            let value = try parse(line, path: path, record: record)
            guard value.objectValue != nil else {
                throw EvalError.invalidJSON(path: path, record: record, reason: "expected an object, found \(value.kindName)")
            }
            return TaskDocument(fields: value, source: path, record: record)
        }
    }

    private static func readArray(_ bytes: [UInt8], path: String) throws -> [TaskDocument] {
        let value = try parse(bytes[...], path: path, record: .file)
        guard let elements = value.arrayValue else {
            throw EvalError.invalidJSON(path: path, record: .file, reason: "expected an array, found \(value.kindName)")
        }
        return try elements.enumerated().map { index, element in
            guard element.objectValue != nil else {
                throw EvalError.invalidJSON(path: path, record: .index(index),
                                            reason: "expected an object, found \(element.kindName)")
            }
            return TaskDocument(fields: element, source: path, record: .index(index))
        }
    }
}
