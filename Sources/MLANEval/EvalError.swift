import Foundation

/// Where in a file a record sits, for error messages: a 1-based line (JSONL, text) or a 0-based array index.
public enum RecordLocation: Sendable, Equatable, CustomStringConvertible {
    /// A 1-based line number.
    case line(Int)
    /// A 0-based index into a JSON array (or into the list of documents a loader produced).
    case index(Int)
    /// The whole file (a single JSON object, such as a RACE article file).
    case file

    /// A one-line explanation for logs and error messages.
    public var description: String {
        switch self {
        case .line(let line): "line \(line)"
        case .index(let index): "record \(index)"
        case .file: "the file"
        }
    }
}

/// Everything that can go wrong while loading tasks, running a scorer and writing reports.
///
/// Input errors name the file, the record (line or index) and the field involved.
public enum EvalError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A record is not valid JSON (or the file is not the JSON shape expected).
    case invalidJSON(path: String, record: RecordLocation, reason: String)
    /// A required field is absent.
    case missingField(path: String, record: RecordLocation, field: String)
    /// A field holds the wrong kind of value or a value outside what the task accepts.
    case invalidField(path: String, record: RecordLocation, field: String, reason: String)
    /// A task's image file does not exist.
    case missingImage(task: String, path: String, record: RecordLocation)
    /// A prompt's `<image>` placeholders and image files do not pair up.
    case imageCountMismatch(task: String, document: String, placeholders: Int, images: Int)
    /// A task built an instance that cannot be scored (multiple choice without choices, gold outside them).
    case invalidInstance(task: String, document: String, reason: String)
    /// A task definition (JSON or built-in) is malformed.
    case invalidTaskDefinition(source: String, field: String, reason: String)
    /// No task of that name is known.
    case unknownTask(name: String, known: [String])
    /// A conversation prompt was rendered without a conversation template.
    case templateRequired(document: String)
    /// The template did not render the assistant prefill verbatim, so it cannot be cut after it.
    case prefillNotRendered(template: String, prefill: String)
    /// A scorer returned a different number of results than requests.
    case scorerResultCount(kind: String, expected: Int, received: Int)
    /// A scorer answered a request with a response of another kind.
    case wrongResponseKind(expected: String, received: String)
    /// A metric was given per-document items of another kind than it aggregates (a custom task or scorer
    /// pairing, say, `perplexity` with accuracy values).
    case metricItemMismatch(metric: String, expected: String, received: String)
    /// A regular expression in a filter does not compile.
    case invalidRegex(pattern: String, reason: String)
    /// Runner options contradict each other or are out of range.
    case invalidOptions(String)
    /// Tasks whose dataset or task cluster appears in the training manifest, so they are not zero-shot.
    case notZeroShot([HeldOutViolation])
    /// A report or log file could not be written.
    case unwritableFile(path: String, reason: String)
    /// Another process of a sharded evaluation failed (its own error is on its standard error).
    case otherRankFailed(rank: Int, message: String)

    /// A one-line explanation for logs and error messages.
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidJSON(let path, let record, let reason):
            return "\(path), \(record): invalid JSON: \(reason)"
        case .missingField(let path, let record, let field):
            return "\(path), \(record): missing field \"\(field)\""
        case .invalidField(let path, let record, let field, let reason):
            return "\(path), \(record): field \"\(field)\": \(reason)"
        case .missingImage(let task, let path, let record):
            return "\(task): image \(path) (\(record)) does not exist"
        case .imageCountMismatch(let task, let document, let placeholders, let images):
            return "\(task), document \(document): the prompt has \(placeholders) <image> placeholder(s) "
                + "but \(images) image file(s)"
        case .invalidInstance(let task, let document, let reason):
            return "\(task), document \(document): \(reason)"
        case .invalidTaskDefinition(let source, let field, let reason):
            return "task definition \(source): \"\(field)\": \(reason)"
        case .unknownTask(let name, let known):
            return "unknown task \"\(name)\"; known tasks: \(known.joined(separator: ", "))"
        case .templateRequired(let document):
            return "document \(document): a conversation prompt needs a conversation template to render"
        case .prefillNotRendered(let template, let prefill):
            return "template \(template) did not render the assistant prefill \"\(prefill)\" verbatim"
        case .scorerResultCount(let kind, let expected, let received):
            return "the scorer returned \(received) \(kind) result(s) for \(expected) request(s)"
        case .wrongResponseKind(let expected, let received):
            return "expected a \(expected) response, received a \(received) response"
        case .metricItemMismatch(let metric, let expected, let received):
            return "metric \(metric) aggregates \(expected) items, but a document gave a \(received) item"
        case .invalidRegex(let pattern, let reason):
            return "regular expression /\(pattern)/ does not compile: \(reason)"
        case .invalidOptions(let message):
            return "invalid evaluation options: \(message)"
        case .notZeroShot(let violations):
            return "not zero-shot (pass allowSeenTasks to report them as seen): "
                + violations.map(\.description).joined(separator: "; ")
        case .unwritableFile(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .otherRankFailed(let rank, let message):
            return "MPI rank \(rank) of the sharded evaluation failed: \(message)"
        }
    }
}
