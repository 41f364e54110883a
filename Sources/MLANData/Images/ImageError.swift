/// Why an image could not be read, decoded, encoded or written.
///
/// `file` is the path, or the name given for in-memory data.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The data does not start with the PNG signature; `detected` names what it looks like (e.g. "JPEG data").
    case notPNG(file: String, detected: String)
    /// The PNG's chunk structure ends early or is inconsistent.
    case truncated(file: String, reason: String)
    /// libpng rejected the data; `reason` is its message.
    case decodeFailed(file: String, reason: String)
    /// A valid PNG MLAN does not decode (e.g. more pixels than the limit).
    case unsupported(file: String, reason: String)
    /// libpng could not encode the pixels; `reason` is its message.
    case encodeFailed(file: String, reason: String)
    /// The encoded file could not be written.
    case writeFailed(file: String, reason: String)
    /// The data is neither PNG nor JPEG; `detected` names what it looks like.
    case unrecognizedFormat(file: String, detected: String)
    /// The data does not start with a JPEG start-of-image marker; `detected` names what it looks like.
    case notJPEG(file: String, detected: String)
    /// The JPEG data ends before its last row (Pillow: "image file is truncated").
    case truncatedJPEG(file: String, reason: String)
    /// libjpeg rejected the JPEG data; `reason` is its message.
    case corruptJPEG(file: String, reason: String)
    /// An image processor config (`preprocessor_config.json`) asks for something MLAN does not do, or is malformed.
    case invalidProcessorConfig(file: String, field: String, reason: String)

    /// The message, naming the file.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read image: \(reason)"
        case .notPNG(let file, let detected): "\(file): not a PNG file (\(detected))"
        case .truncated(let file, let reason): "\(file): truncated or corrupt PNG: \(reason)"
        case .decodeFailed(let file, let reason): "\(file): PNG decoding failed: \(reason)"
        case .unsupported(let file, let reason): "\(file): unsupported PNG: \(reason)"
        case .encodeFailed(let file, let reason): "\(file): PNG encoding failed: \(reason)"
        case .writeFailed(let file, let reason): "\(file): cannot write image: \(reason)"
        case .unrecognizedFormat(let file, let detected): "\(file): not a PNG or JPEG image (\(detected))"
        case .notJPEG(let file, let detected): "\(file): not a JPEG file (\(detected))"
        case .truncatedJPEG(let file, let reason): "\(file): truncated JPEG: \(reason)"
        case .corruptJPEG(let file, let reason): "\(file): corrupt JPEG: \(reason)"
        case .invalidProcessorConfig(let file, let field, let reason): "\(file): \(field): \(reason)"
        }
    }
}
