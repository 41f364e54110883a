import Foundation

/// Reads a file line by line in fixed-size chunks: memory stays at one chunk plus the longest line.
struct LineReader {
    private let handle: FileHandle
    private let path: String
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// Opens `url` for reading.
    /// - Throws: `DatasetError.unreadable` naming the file.
    init(url: URL, chunkSize: Int = 1 << 16) throws {
        precondition(chunkSize > 0, "chunkSize must be positive, got \(chunkSize)")
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw DatasetError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        path = url.path
        self.chunkSize = chunkSize
    }

    /// Closes the file.
    func close() { try? handle.close() }

    /// The next line's bytes without its `\n` (or `\r\n`), or `nil` at the end of the file.
    /// - Throws: `DatasetError.unreadable` when reading fails.
    mutating func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = buffer.count
                lineNumber += 1
                return line
            }
            // Drop consumed bytes before reading more, so the buffer never holds more than one partial line.
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let chunk: Data?
            do { chunk = try handle.read(upToCount: chunkSize) } catch {
                throw DatasetError.unreadable(file: path, reason: InputFile.reason(for: error))
            }
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { atEnd = true }
        }
    }
}
