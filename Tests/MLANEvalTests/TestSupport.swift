import Foundation
import MLANData
import MLANTestSupport
@testable import MLANEval

/// Built-in task options over the shared data folder.
let sharedOptions = BuiltinTaskOptions(dataDirectory: SharedPaths.data)

/// A fresh temporary folder.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-eval-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The documents and the instance of document `index` of a task.
func firstInstance<Task: EvalTask>(_ task: Task, index: Int = 0) throws -> EvalInstance {
    let documents = try task.documents()
    return try task.instance(for: documents[index], index: index)
}

/// Every document's instance of a task (checks that every record of the real file parses).
func allInstances<Task: EvalTask>(_ task: Task) throws -> [EvalInstance] {
    try task.documents().enumerated().map { try task.instance(for: $0.element, index: $0.offset) }
}

/// A silent runner.
func runner(_ scorer: any Scorer, _ options: EvalOptions = EvalOptions()) -> EvalRunner {
    EvalRunner(scorer: scorer, options: options, progress: ProgressReporter(mode: .silent))
}

/// A cross-check that read something of an unexpected shape.
struct UnexpectedShape: Error, CustomStringConvertible {
    let description: String
}

/// Reads JSON Lines with Foundation (an independent reader for cross-checks).
/// - Throws: Foundation's errors, or `UnexpectedShape` for a line that is not an object.
func foundationJSONLines(_ relativePath: String) throws -> [[String: Any]] {
    let text = try String(contentsOf: SharedPaths.dataFile(relativePath), encoding: .utf8)
    return try text.split(separator: "\n").enumerated().map { offset, line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw UnexpectedShape(description: "\(relativePath), line \(offset + 1): not a JSON object")
        }
        return object
    }
}

/// The field `key` of every record, cast to `T`.
/// - Throws: `UnexpectedShape` naming the first record whose field is absent or of another type.
func foundationField<T>(_ key: String, of records: some Sequence<[String: Any]>, as type: T.Type) throws -> [T] {
    try records.enumerated().map { offset, record in
        guard let value = record[key] as? T else {
            throw UnexpectedShape(description: "record \(offset): field \"\(key)\" is not a \(T.self)")
        }
        return value
    }
}
