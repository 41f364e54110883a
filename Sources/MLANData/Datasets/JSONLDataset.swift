import Foundation

/// A dataset stored as JSON Lines: one record per line, read as a stream.
///
/// Blank lines are not records and are passed over; every other line is one record, located by its
/// 1-based line number and its 0-based record index.
public enum JSONLDataset {
    /// Counts from a streamed read.
    public struct StreamReport: Sendable {
        /// The file's path as it was given.
        public var file: String
        /// The format the records were read in.
        public var format: DatasetFormat
        /// Records passed to the body.
        public var recordCount: Int
        /// Invalid records left out under ``InvalidRecordPolicy/skipInvalid``, each with its reason.
        public var skipped: [SkippedRecord]
    }

    /// Streams the records of `url` to `body` one at a time, holding one line in memory.
    /// - Throws: `DatasetError` for an unreadable file or, under ``InvalidRecordPolicy/fail``, for the first
    ///   invalid line or record (invalid JSON included); rethrows what `body` throws.
    @discardableResult
    public static func forEachRecord(in url: URL, options: DatasetReadOptions = .init(),
                                     _ body: (InstructionRecord) throws -> Void) throws -> StreamReport {
        var reader = try LineReader(url: url)
        defer { reader.close() }
        var report = StreamReport(file: url.path, format: options.format, recordCount: 0, skipped: [])
        var decoder: RecordDecoder?
        var index = 0
        while let line = try reader.nextLine() {
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            let location = RecordLocation(file: url.path, index: index, line: reader.lineNumber)
            index += 1
            let record: InstructionRecord
            do {
                let value: Any
                do {
                    value = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
                } catch {
                    throw DatasetError.malformedJSON(file: url.path, line: location.line,
                                                     reason: InputFile.reason(for: error))
                }
                let active = try decoder ?? RecordDecoder.forFile(first: value, at: location, options: options)
                if decoder == nil {
                    decoder = active
                    report.format = active.format
                }
                record = try active.decode(value, at: location)
            } catch let error as DatasetError where options.invalidRecords == .skipInvalid {
                report.skipped.append(SkippedRecord(location: location, error: error))
                continue
            }
            try body(record)
            report.recordCount += 1
        }
        return report
    }

    /// Every record of `url`, validated, in memory.
    /// - Throws: as ``forEachRecord(in:options:_:)``.
    public static func load(from url: URL, options: DatasetReadOptions = .init()) throws -> DatasetLoad {
        var records: [InstructionRecord] = []
        let report = try forEachRecord(in: url, options: options) { records.append($0) }
        return DatasetLoad(file: url.path, format: report.format, records: records, skipped: report.skipped)
    }

    /// Writes `records` as LLaVA JSON Lines, atomically (temporary file, then rename).
    /// - Throws: `DatasetError.writeFailed` naming the file.
    public static func write(_ records: [InstructionRecord], to url: URL) throws {
        var data = Data()
        do {
            for record in records {
                data.append(try JSONSerialization.data(withJSONObject: record.llavaJSONObject, options: [.sortedKeys]))
                data.append(0x0A)
            }
            try AtomicFile.write(data, to: url)
        } catch let failure as AtomicWriteError {
            throw DatasetError.writeFailed(file: url.path, reason: failure.description)
        } catch {
            throw DatasetError.writeFailed(file: url.path, reason: InputFile.reason(for: error))
        }
    }
}
