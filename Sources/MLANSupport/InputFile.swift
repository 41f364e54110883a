import Foundation

/// Why an input file cannot be read, in words a user acts on.
public enum InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing exists at the path.
    case missing(path: String)
    /// The path is a folder where a file belongs.
    case isDirectory(path: String)
    /// The file holds no bytes.
    case empty(path: String)
    /// The system refused to read it (permissions, I/O), with its reason.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path): no such file"
        case .isDirectory(let path): "\(path): is a folder, not a file"
        case .empty(let path): "\(path): the file is empty"
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        }
    }

    /// The reason alone, without the path (for errors that put the path elsewhere).
    public var reason: String {
        switch self {
        case .missing: "no such file"
        case .isDirectory: "is a folder, not a file"
        case .empty: "the file is empty"
        case .unreadable(_, let reason): reason
        }
    }
}

/// Reading files given from outside (flags, configs, datasets), with errors that say what is wrong instead of
/// Foundation's error dumps.
public enum InputFile {
    /// Checks that `url` is an existing regular file (and, unless `allowEmpty`, not empty).
    /// - Throws: `InputFileError` naming the path.
    public static func check(_ url: URL, allowEmpty: Bool = false) throws(InputFileError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw .missing(path: url.path) }
        guard !isDirectory.boolValue else { throw .isDirectory(path: url.path) }
        if !allowEmpty, let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber,
           size.intValue == 0 {
            throw .empty(path: url.path)
        }
    }

    /// The bytes of `url` after `check(_:allowEmpty:)`.
    /// - Throws: `InputFileError` naming the path.
    public static func read(_ url: URL, allowEmpty: Bool = false) throws(InputFileError) -> Data {
        try check(url, allowEmpty: allowEmpty)
        do { return try Data(contentsOf: url) } catch { throw .unreadable(path: url.path, reason: reason(for: error)) }
    }

    /// A short reason for a failed file operation or JSON decode: the POSIX reason under a Foundation error
    /// ("No such file or directory", "Not a directory"), or where and why a `DecodingError` failed.
    public static func reason(for error: any Error) -> String {
        if let error = error as? InputFileError { return error.reason }
        if let error = error as? DecodingError { return decodingReason(error) }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if let error = error as? CocoaError {
            if let underlying = error.underlying ?? (error.userInfo[NSUnderlyingErrorKey] as? any Error) {
                let posix = underlying as NSError
                if let code = (underlying as? POSIXError)?.code.rawValue ?? (posix.domain == NSPOSIXErrorDomain ? Int32(posix.code) : nil) {
                    return String(cString: strerror(code))
                }
            }
            switch error.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
            case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
            case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
            case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
            default: break
            }
        }
        if let debug = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return debug }
        if nsError.domain == NSCocoaErrorDomain { return nsError.localizedDescription }
        return "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func decodingReason(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty: return "not valid JSON"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): required, missing"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)): expected \(type), found null"
        @unknown default: return "\(error)"
        }
    }
}
