import Foundation

/// A dataset stored as one JSON array of records (LLaVA's `llava_v1_5_mix665k.json`, Alpaca's `alpaca_data.json`).
public enum JSONDataset {
    /// Every record of the array in `url`, validated; record locations are 0-based array indices.
    /// - Throws: `DatasetError` for an unreadable file, invalid JSON or a non-array top level, or, under
    ///   ``InvalidRecordPolicy/fail``, for the first invalid record.
    public static func load(from url: URL, options: DatasetReadOptions = .init()) throws -> DatasetLoad {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw DatasetError.malformedJSON(file: url.path, line: nil, reason: InputFile.reason(for: error))
        }
        guard let array = parsed as? [Any] else {
            throw DatasetError.notAnArray(file: url.path, found: JSONKind.of(parsed))
        }
        var load = DatasetLoad(file: url.path, format: options.format, records: [], skipped: [])
        guard !array.isEmpty else { return load }
        // Under skipInvalid the format comes from the first record that shows one; earlier records are then
        // skipped with their own errors.
        let probe = options.invalidRecords == .skipInvalid && options.format == .automatic
            ? array.firstIndex { element in
                (element as? [String: Any]).map { DatasetFormat.detect(keys: $0.keys) != nil } ?? false
            } ?? 0
            : 0
        let decoder = try RecordDecoder.forFile(first: array[probe], at: RecordLocation(file: url.path, index: probe),
                                                options: options)
        load.format = decoder.format
        load.records.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            let location = RecordLocation(file: url.path, index: index)
            do {
                load.records.append(try decoder.decode(element, at: location))
            } catch let error as DatasetError where options.invalidRecords == .skipInvalid {
                load.skipped.append(SkippedRecord(location: location, error: error))
            }
        }
        return load
    }

    /// Writes `records` as a LLaVA JSON array (`id`, `image` when present, `conversations`), atomically:
    /// to a temporary file beside `url`, then renamed over it.
    /// - Throws: `DatasetError.writeFailed` naming the file.
    public static func write(_ records: [InstructionRecord], to url: URL) throws {
        let objects = records.map(\.llavaJSONObject)
        do {
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write(data, to: url)
        } catch let failure as AtomicWriteError {
            throw DatasetError.writeFailed(file: url.path, reason: failure.description)
        } catch {
            throw DatasetError.writeFailed(file: url.path, reason: InputFile.reason(for: error))
        }
    }
}

extension InstructionRecord {
    /// The record as a LLaVA JSON object: `image` is a string for one image and an array for several.
    var llavaJSONObject: [String: Any] {
        var object: [String: Any] = [
            "id": id,
            "conversations": turns.map { ["from": $0.role == .user ? "human" : "gpt", "value": $0.text] },
        ]
        if images.count == 1 { object["image"] = images[0] } else if images.count > 1 { object["image"] = images }
        return object
    }
}
