import Foundation
import MLANSupport

/// The image-swap twin of a vision task: the same documents in the same order, each with the next document's
/// image (the last with the first's), as a task named `<task>_swapped`. Scored on the same seeded subset, it
/// separates answers read from the image (lost with another image) from answers guessed from the question (kept).
enum ImageSwapTwin {
    /// Writes `NAME_swapped.json` and `NAME_swapped.jsonl` beside the task definition `definition` (whose
    /// documents are JSON lines with an `image` field) and returns the twin definition's URL.
    /// - Throws: `ExperimentError.invalidSetting` naming the file and record that cannot be read or have no image.
    static func write(besides definition: URL) throws -> URL {
        let name = definition.deletingPathExtension().lastPathComponent
        let folder = definition.deletingLastPathComponent()
        guard var task = try? JSONSerialization.jsonObject(with: Data(contentsOf: definition)) as? [String: Any],
              let taskName = task["task"] as? String, var documents = task["documents"] as? [String: Any],
              let path = documents["path"] as? String else {
            throw ExperimentError.invalidSetting(field: definition.path, reason: "not a task definition with `task` and `documents.path`")
        }
        let source = folder.appendingPathComponent(path)
        let lines = try String(contentsOf: source, encoding: .utf8).split(separator: "\n")
        let records = try lines.enumerated().map { index, line in
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], record["image"] is String else {
                throw ExperimentError.invalidSetting(field: "\(source.path), record \(index + 1)", reason: "no `image` field to swap")
            }
            return record
        }
        let swapped = try records.indices.map { index in
            var record = records[index]
            record["image"] = records[(index + 1) % records.count]["image"]
            return String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
        }
        let twinDocuments = folder.appendingPathComponent("\(name)_swapped.jsonl")
        try AtomicFile.write(Data((swapped.joined(separator: "\n") + "\n").utf8), to: twinDocuments)
        (task["task"], documents["path"]) = (taskName + "_swapped", twinDocuments.lastPathComponent)
        task["documents"] = documents
        let twin = folder.appendingPathComponent("\(name)_swapped.json")
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: task, options: [.prettyPrinted, .sortedKeys]), to: twin)
        return twin
    }
}
