/// The image formats MLAN decodes, recognised by their first bytes (never by the file's extension).
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    /// PNG: the 8-byte signature `89 50 4E 47 0D 0A 1A 0A`.
    case png
    /// JPEG: a start-of-image marker followed by another marker, `FF D8 FF`.
    case jpeg

    /// The format `bytes` start with, or nil for anything else.
    public static func detect(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        if bytes.starts(with: PNGStream.signature) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }
}
