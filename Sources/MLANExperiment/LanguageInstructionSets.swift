import Foundation
import MLANData

/// Reads the real language instruction sets of a stage-2 mixture: Alpaca-style JSON or JSONL (Alpaca, LIMA) as
/// `InstructionDataset` reads them, and self-instruct seed tasks (`seed_tasks.jsonl`: `instruction` and
/// `instances [{input, output}]`), whose first instance becomes one single-turn record.
enum LanguageInstructionSets {
    /// The source `spec` describes, its file resolved against `dataDirectory`, cut to `spec.limit` records.
    /// - Throws: `ExperimentError.invalidSetting` naming the file and the record when it cannot be read.
    static func load(_ spec: SmolLM2ExperimentConfig.LanguageSource, dataDirectory: URL) throws -> MixtureSource {
        let url = spec.file.hasPrefix("/") ? URL(fileURLWithPath: spec.file) : dataDirectory.appendingPathComponent(spec.file)
        var records: [InstructionRecord]
        do {
            records = try isSelfInstruct(url) ? try selfInstructRecords(url) : try InstructionDataset.load(from: url).records
        } catch let error as ExperimentError {
            throw error
        } catch {
            throw ExperimentError.invalidSetting(field: url.path, reason: InputFile.reason(for: error))
        }
        if let limit = spec.limit { records = Array(records.prefix(limit)) }
        return MixtureSource(name: spec.dataset, dataset: spec.dataset, taskCluster: spec.taskCluster, records: records,
                             file: url.path)
    }

    /// Whether the file is JSONL whose first record has `instances` (self-instruct's seed-task format).
    private static func isSelfInstruct(_ url: URL) throws -> Bool {
        guard url.pathExtension == "jsonl" else { return false }
        let text = try String(decoding: InputFile.read(url), as: UTF8.self)
        guard let first = text.split(separator: "\n").first, let json = try? JSONValue.parse(String(first)) else { return false }
        return json["instances"] != nil
    }

    private static func selfInstructRecords(_ url: URL) throws -> [InstructionRecord] {
        let text = try String(decoding: InputFile.read(url), as: UTF8.self)
        var records: [InstructionRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            func fail(_ field: String, _ reason: String) -> ExperimentError {
                .invalidSetting(field: "\(url.path): line \(index + 1): \(field)", reason: reason)
            }
            let json: JSONValue
            do { json = try JSONValue.parse(String(line)) } catch { throw fail("record", "not valid JSON") }
            guard let instruction = json["instruction"]?.stringValue, !instruction.isEmpty else {
                throw fail("instruction", "required, a non-empty string")
            }
            guard let instance = json["instances"]?[0], let output = instance["output"]?.stringValue, !output.isEmpty else {
                throw fail("instances[0].output", "required, a non-empty string")
            }
            let input = instance["input"]?.stringValue ?? ""
            let user = input.isEmpty ? instruction : instruction + "\n\n" + input
            records.append(InstructionRecord(id: json["id"]?.stringValue ?? "seed-\(index)",
                                             turns: [Turn(.user, user), Turn(.assistant, output)],
                                             location: RecordLocation(file: url.path, index: records.count, line: index + 1)))
        }
        return records
    }
}
