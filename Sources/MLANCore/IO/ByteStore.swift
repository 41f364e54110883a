import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if _endian(big)
#error("MLAN's file formats are little-endian and the readers assume a little-endian host")
#endif

/// Why a file could not be opened or mapped (wrapped by each format's own error type).
struct FileMappingFailure: Error {
    let reason: String
}

/// Read-only bytes of a whole file: memory-mapped from disk, or an owned copy of in-memory data.
///
/// The bytes stay valid for the lifetime of the store. Readers share one store between the values they hand
/// out, so a mapped file is unmapped only when the last reader is gone.
final class ByteStore: @unchecked Sendable {
    /// The file path, or a caller-chosen label for in-memory data; used in error messages.
    let path: String
    /// The file's bytes.
    let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int
    private let ownsAllocation: Bool

    private init(path: String, bytes: UnsafeRawBufferPointer, mappedLength: Int, ownsAllocation: Bool) {
        self.path = path
        self.bytes = bytes
        self.mappedLength = mappedLength
        self.ownsAllocation = ownsAllocation
    }

    /// Maps the regular file at `url` read-only (private mapping).
    static func map(_ url: URL) throws(FileMappingFailure) -> ByteStore {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileMappingFailure(reason: "cannot open: \(errnoDescription())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileMappingFailure(reason: "cannot stat: \(errnoDescription())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileMappingFailure(reason: "not a regular file") }
        let size = Int(info.st_size)
        if size == 0 {
            return ByteStore(path: path, bytes: UnsafeRawBufferPointer(start: nil, count: 0), mappedLength: 0,
                             ownsAllocation: false)
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw FileMappingFailure(reason: "cannot memory-map \(size) bytes: \(errnoDescription())")
        }
        return ByteStore(path: path, bytes: UnsafeRawBufferPointer(start: address, count: size), mappedLength: size,
                         ownsAllocation: false)
    }

    /// Copies `data` into a new 64-byte-aligned allocation labelled `path`.
    static func copying(_ data: some Collection<UInt8>, path: String) -> ByteStore {
        let count = data.count
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        let buffer = UnsafeMutableRawBufferPointer(start: memory, count: count)
        buffer.copyBytes(from: data)
        return ByteStore(path: path, bytes: UnsafeRawBufferPointer(buffer), mappedLength: 0, ownsAllocation: true)
    }

    deinit {
        if ownsAllocation {
            bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        } else if mappedLength > 0, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
    }
}
