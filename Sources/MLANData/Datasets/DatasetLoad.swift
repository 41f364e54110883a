import Foundation

/// A record left out under ``InvalidRecordPolicy/skipInvalid``, with the reason.
public struct SkippedRecord: Sendable, Equatable, CustomStringConvertible {
    /// Where the record was.
    public var location: RecordLocation
    /// Why it was left out.
    public var error: DatasetError

    /// A skipped record at `location`, left out for `error`.
    public init(location: RecordLocation, error: DatasetError) {
        self.location = location
        self.error = error
    }

    /// The error's message (it names file, record and field).
    public var description: String { error.description }
}

/// The records read from one dataset file, and every record left out with its reason.
public struct DatasetLoad: Sendable {
    /// The file's path as it was given.
    public var file: String
    /// The format the records were read in (never `.automatic` unless the file had no records).
    public var format: DatasetFormat
    /// The valid records, in file order.
    public var records: [InstructionRecord]
    /// The invalid records left out (empty under ``InvalidRecordPolicy/fail``, which throws instead).
    public var skipped: [SkippedRecord]

    /// A load result from its parts.
    public init(file: String, format: DatasetFormat, records: [InstructionRecord], skipped: [SkippedRecord]) {
        self.file = file
        self.format = format
        self.records = records
        self.skipped = skipped
    }

    /// Records seen in the file, valid or not.
    public var totalCount: Int { records.count + skipped.count }

    /// `"file: 98 records read, 2 skipped"`.
    public var summary: String { "\(file): \(records.count) records read, \(skipped.count) skipped" }
}

/// Reads a dataset file of either layout: a JSON array (first non-blank byte `[`) or JSON Lines (`{`).
public enum InstructionDataset {
    /// Every record of `url`, validated.
    /// - Throws: `DatasetError` for a missing, empty, unreadable or malformed file, or, under
    ///   ``InvalidRecordPolicy/fail``, for the first invalid record.
    public static func load(from url: URL, options: DatasetReadOptions = .init()) throws -> DatasetLoad {
        if try isJSONArray(url) { return try JSONDataset.load(from: url, options: options) }
        return try JSONLDataset.load(from: url, options: options)
    }

    /// True when the file's first non-whitespace byte is `[`, false when it is `{`.
    /// - Throws: `DatasetError.unreadable` for a missing, empty or unreadable file or one with only whitespace;
    ///   `DatasetError.malformedJSON` when it starts with anything else.
    static func isJSONArray(_ url: URL) throws -> Bool {
        do { try InputFile.check(url) } catch { throw DatasetError.unreadable(file: url.path, reason: error.reason) }
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw DatasetError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        defer { try? handle.close() }
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 4096) ?? Data() } catch {
                throw DatasetError.unreadable(file: url.path, reason: InputFile.reason(for: error))
            }
            guard !chunk.isEmpty else { throw DatasetError.unreadable(file: url.path, reason: "holds only white space") }
            let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF]  // and a UTF-8 BOM
            guard let first = chunk.first(where: { !whitespace.contains($0) }) else { continue }
            if first == UInt8(ascii: "[") { return true }
            if first == UInt8(ascii: "{") { return false }
            throw DatasetError.malformedJSON(file: url.path, line: nil, reason: String(
                format: "neither a JSON array nor JSON Lines: the first character is byte 0x%02x", first))
        }
    }
}
