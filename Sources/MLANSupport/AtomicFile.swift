import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an atomic file write failed; every case names the file and the system's reason.
public enum AtomicWriteError: Error, CustomStringConvertible {
    /// The temporary file beside the destination could not be created.
    case create(path: String, reason: String)
    /// Writing, flushing or closing the temporary file failed.
    case write(path: String, reason: String)
    /// Renaming the temporary file onto the destination failed.
    case rename(from: String, to: String, reason: String)

    public var description: String {
        switch self {
        case .create(let path, let reason): return "cannot create \(path): \(reason)"
        case .write(let path, let reason): return "cannot write \(path): \(reason)"
        case .rename(let from, let to, let reason): return "cannot rename \(from) to \(to): \(reason)"
        }
    }
}

/// Whole-file writes that readers see either completely or not at all, even across a crash.
///
/// The bytes go to a temporary file in the destination's directory, which is flushed to disk (`fsync`),
/// renamed onto the destination, and the directory is flushed so the rename itself is durable.
public enum AtomicFile {
    /// Atomically replaces (or creates) the file at `url` with `bytes`, creating its folder first.
    /// - Throws: `AtomicWriteError` naming the file.
    public static func write(_ bytes: [UInt8], to url: URL) throws(AtomicWriteError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .create(path: url.path, reason: InputFile.reason(for: error))
        }
        let file = try PendingFile(besides: url)
        try bytes.withUnsafeBytes { raw in Result { () throws(AtomicWriteError) in try file.write(raw) } }.get()
        try file.commit(as: url)
    }

    /// Atomically replaces (or creates) the file at `url` with `data`, creating its folder first.
    /// - Throws: `AtomicWriteError` naming the file.
    public static func write(_ data: Data, to url: URL) throws(AtomicWriteError) {
        try write([UInt8](data), to: url)
    }
}

/// A temporary file being written beside its destination; it becomes the destination on `commit(as:)` and is
/// removed if dropped uncommitted.
package final class PendingFile {
    /// Where the bytes go until the commit.
    package let temporaryPath: String
    /// The bytes written so far.
    package private(set) var byteCount = 0
    /// The SHA-256 of the bytes written so far.
    package private(set) var hasher = SHA256()
    private var descriptor: Int32

    /// Creates a fresh temporary file in the directory of `destination`.
    package init(besides destination: URL) throws(AtomicWriteError) {
        let directory = destination.deletingLastPathComponent().path
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let path = directory + "/." + destination.lastPathComponent + ".tmp-\(getpid())-" + suffix
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .create(path: destination.path, reason: errnoDescription()) }
        temporaryPath = path
        descriptor = fd
    }

    /// Appends `bytes`, retrying short and interrupted writes.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(AtomicWriteError) {
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        hasher.update(bytes)
        var written = 0
        while written < bytes.count {
            let chunk = min(bytes.count - written, 1 << 30)
            let result = posixWrite(descriptor, base + written, chunk)
            if result < 0 {
                if errno == EINTR { continue }
                throw .write(path: temporaryPath, reason: errnoDescription())
            }
            written += result
        }
        byteCount += bytes.count
    }

    /// Flushes the file, renames it onto `destination` and flushes the directory.
    package func commit(as destination: URL) throws(AtomicWriteError) {
        guard descriptor >= 0 else { throw .write(path: temporaryPath, reason: "already committed") }
        guard fsync(descriptor) == 0 else { throw .write(path: temporaryPath, reason: errnoDescription()) }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            unlink(temporaryPath)
            throw .write(path: temporaryPath, reason: errnoDescription())
        }
        guard rename(temporaryPath, destination.path) == 0 else {
            let reason = errnoDescription()
            unlink(temporaryPath)
            throw .rename(from: temporaryPath, to: destination.path, reason: reason)
        }
        let directory = open(destination.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)  // durability of the rename; some file systems refuse fsync on directories
            close(directory)
        }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }
}

/// `write(2)`, named apart from `PendingFile.write(_:)`.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, bytes, count)
    #else
    return Darwin.write(descriptor, bytes, count)
    #endif
}

/// The current `errno` as readable text, e.g. "No such file or directory (errno 2)".
package func errnoDescription(_ code: Int32 = errno) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}
