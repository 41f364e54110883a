import Foundation

extension ImageDecoder {
    /// The image at `url`, PNG or JPEG, recognised by its first bytes (the extension is never consulted).
    /// - Parameter orientation: `.asStored` (default, as Pillow's `Image.open`) or `.exifApplied`.
    /// - Throws: `ImageError` naming the file: unreadable, `.unrecognizedFormat` for other data, or the
    ///   format's decoding error (truncated or corrupt).
    public static func decode(contentsOf url: URL, orientation: ImageOrientation = .asStored) throws(ImageError)
        -> RGBImage {
        try decode(readBytes(url), name: url.path, orientation: orientation)
    }

    /// The PNG or JPEG image in `bytes`, recognised by its first bytes; `name` appears in errors.
    /// - Throws: `ImageError` naming `name`: `.unrecognizedFormat`, or the format's decoding error.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>",
                              orientation: ImageOrientation = .asStored) throws(ImageError) -> RGBImage {
        switch ImageFormat.detect(bytes) {
        case .png: return try decodePNG(bytes, name: name)
        case .jpeg: return try decodeJPEG(bytes, name: name, orientation: orientation)
        case nil: throw ImageError.unrecognizedFormat(file: name, detected: PNGStream.sniff(bytes))
        }
    }

    /// The JPEG at `url`, decoded as Pillow's `Image.open(...).convert("RGB")` does.
    /// - Throws: `ImageError` naming the file: unreadable, `.notJPEG`, `.truncatedJPEG`, `.corruptJPEG`.
    public static func decodeJPEG(contentsOf url: URL, orientation: ImageOrientation = .asStored)
        throws(ImageError) -> RGBImage {
        try decodeJPEG(readBytes(url), name: url.path, orientation: orientation)
    }

    /// The JPEG in `bytes`; `name` appears in errors.
    /// - Parameter orientation: `.exifApplied` turns the image upright as its EXIF Orientation tag says.
    /// - Throws: `ImageError` naming `name`: `.notJPEG`, `.truncatedJPEG`, `.corruptJPEG`, `.unsupported`.
    public static func decodeJPEG(_ bytes: [UInt8], name: String = "<memory>",
                                  orientation: ImageOrientation = .asStored) throws(ImageError) -> RGBImage {
        guard ImageFormat.detect(bytes) == .jpeg else {
            throw ImageError.notJPEG(file: name, detected: PNGStream.sniff(bytes))
        }
        let image = try JPEGDecoder.decode(bytes, name: name)
        guard orientation == .exifApplied, let value = EXIFOrientation.value(in: bytes) else { return image }
        return image.oriented(exif: value)
    }

    /// The file's bytes.
    static func readBytes(_ url: URL) throws(ImageError) -> [UInt8] {
        do { return [UInt8](try Data(contentsOf: url)) } catch {
            throw ImageError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
    }
}
