import CPNG
import Foundation

/// Decodes PNG files to ``RGBImage`` through libpng's simplified API, the way Pillow's `convert("RGB")` does:
/// alpha dropped (not composited), palettes expanded, gray replicated, gamma and colour profiles ignored.
///
/// 16-bit samples reduce as Pillow's PNG raw modes do: colour keeps the high byte (`RGB;16B`), 16-bit
/// gray+alpha keeps the gray high byte (`LA;16B`), and 16-bit gray opens as `I;16`, whose conversion to RGB
/// saturates at 255. 16-bit RGBA (`RGBA;16B`) keeps the high byte of each colour sample whatever its alpha,
/// read as stored through libpng's classic API, because the simplified API's linear output is premultiplied.
public enum ImageDecoder {
    /// The most pixels an image may have (2^28), so a hostile header cannot ask for gigabytes.
    public static let maxPixelCount = 1 << 28

    /// The PNG at `url`.
    /// - Throws: `ImageError` naming the file: unreadable, not a PNG (e.g. JPEG), truncated or corrupt.
    public static func decodePNG(contentsOf url: URL) throws(ImageError) -> RGBImage {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImageError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        return try decodePNG([UInt8](data), name: url.path)
    }

    /// The PNG in `bytes`; `name` appears in errors.
    /// - Throws: `ImageError` naming `name`: not a PNG (e.g. JPEG), truncated or corrupt.
    public static func decodePNG(_ bytes: [UInt8], name: String = "<memory>") throws(ImageError) -> RGBImage {
        let stream = try PNGStream(bytes, name: name)
        let header = stream.header
        guard header.width > 0, header.height > 0, header.width <= maxPixelCount / header.height else {
            throw ImageError.unsupported(file: name, reason: "\(header.width)x\(header.height) pixels")
        }
        try checkCompressedSize(stream, name: name)
        let pixelCount = header.width * header.height
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)

        switch (header.bitDepth, header.colorType) {
        case (16, 0):  // I;16 -> RGB: values above 255 saturate
            let gray = try read16(stream.criticalChunks(), format: PNGFormat.linearGray, channels: 1, header, name)
            for i in 0..<pixelCount { rgb.replicate(gray[i] > 255 ? 255 : UInt8(gray[i]), at: i) }
        case (16, 2):  // RGB;16B: high byte
            let samples = try read16(stream.criticalChunks(), format: PNGFormat.linearRGB, channels: 3, header, name)
            for i in 0..<samples.count { rgb[i] = UInt8(samples[i] >> 8) }
        case (16, 4):
            // 16-bit gray+alpha and 8-bit RGBA share 4 bytes per pixel and the same filter stride, so read as the
            // latter: each pixel's bytes come back as (gray high, gray low, alpha high, alpha low).
            guard stream.hasValidCRC(stream.chunks[0]) else {
                throw ImageError.decodeFailed(file: name, reason: "IHDR: CRC error")
            }
            let raw = try read8(stream.criticalChunks(relabelledAs: (8, 6)), format: PNGFormat.rgba, channels: 4,
                                header, name)
            for i in 0..<pixelCount { rgb.replicate(raw[i * 4], at: i) }
        case (16, 6):  // RGBA;16B: high bytes of R, G, B as stored (the simplified API would premultiply)
            let stored = try readStored(stream.criticalChunks(), bytesPerPixel: 8, header, name)
            for i in 0..<pixelCount {
                rgb[i * 3] = stored[i * 8]
                rgb[i * 3 + 1] = stored[i * 8 + 2]
                rgb[i * 3 + 2] = stored[i * 8 + 4]
            }
        default:  // every 1/2/4/8-bit layout: libpng expands palettes and low bit depths, replicates gray
            let hasAlpha = header.colorType == 4 || header.colorType == 6
            let channels = hasAlpha ? 4 : 3
            let raw = try read8(stream.criticalChunks(), format: hasAlpha ? PNGFormat.rgba : PNGFormat.rgb,
                                channels: channels, header, name)
            if hasAlpha {
                for i in 0..<pixelCount {
                    rgb[i * 3] = raw[i * 4]
                    rgb[i * 3 + 1] = raw[i * 4 + 1]
                    rgb[i * 3 + 2] = raw[i * 4 + 2]
                }
            } else {
                rgb = raw
            }
        }
        return RGBImage(width: header.width, height: header.height, pixels: rgb)
    }

    /// Deflate expands at most 1032-fold (one 258-byte match per two bits), so IDAT chunks holding fewer than
    /// 1/1032 of the header's sample bytes cannot be a whole image: rejected before any buffer is allocated.
    /// - Throws: `ImageError.truncated` with the declared size and the compressed bytes.
    static func checkCompressedSize(_ stream: PNGStream, name: String) throws(ImageError) {
        let header = stream.header
        let samplesPerPixel = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][header.colorType] ?? 1
        let rowBytes = (header.width * samplesPerPixel * header.bitDepth + 7) / 8
        let needed = rowBytes * header.height
        let compressed = stream.chunks.lazy.filter { $0.type == "IDAT" }.reduce(0) { $0 + $1.dataRange.count }
        guard needed <= compressed * 1032 + 4096 else {
            throw ImageError.truncated(file: name, reason: "\(header.width)x\(header.height) pixels need \(needed) bytes "
                                       + "of samples, but the \(compressed) bytes of IDAT data inflate to at most "
                                       + "\(compressed * 1032 + 4096)")
        }
    }

    /// Samples of 8 bits in `format` (sRGB in and out: libpng leaves them as stored).
    private static func read8(_ png: [UInt8], format: UInt32, channels: Int, _ header: PNGStream.Header,
                              _ name: String) throws(ImageError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: header.width * header.height * channels)
        let failure = out.withUnsafeMutableBytes { read(png, format: format, into: $0, header, name) }
        if let failure { throw failure }
        return out
    }

    /// Samples of 16 bits in a linear `format` (the file's 16-bit data counts as linear, so libpng leaves it
    /// as stored, apart from premultiplying colour by alpha).
    private static func read16(_ png: [UInt8], format: UInt32, channels: Int, _ header: PNGStream.Header,
                               _ name: String) throws(ImageError) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: header.width * header.height * channels)
        let failure = out.withUnsafeMutableBytes { read(png, format: format, into: $0, header, name) }
        if let failure { throw failure }
        return out
    }

    /// The samples as stored (big-endian 16-bit, interlacing undone), through libpng's classic API.
    private static func readStored(_ png: [UInt8], bytesPerPixel: Int, _ header: PNGStream.Header,
                                   _ name: String) throws(ImageError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: header.width * header.height * bytesPerPixel)
        var message = [CChar](repeating: 0, count: 256)
        let succeeded = png.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                mlan_png_read_stored(input.baseAddress, input.count, output.baseAddress, output.count, &message)
            }
        }
        guard succeeded != 0 else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageError.decodeFailed(file: name, reason: text)
        }
        return out
    }

    /// Decodes `png` into `buffer` (sized for the header's pixels in `format`); returns the failure, if any.
    private static func read(_ png: [UInt8], format: UInt32, into buffer: UnsafeMutableRawBufferPointer,
                             _ header: PNGStream.Header, _ name: String) -> ImageError? {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let began = png.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { return ImageError.decodeFailed(file: name, reason: message(of: image)) }
        guard Int(image.width) == header.width, Int(image.height) == header.height else {
            png_image_free(&image)
            return ImageError.decodeFailed(file: name, reason: "libpng reports \(image.width)x\(image.height), "
                                           + "IHDR says \(header.width)x\(header.height)")
        }
        image.format = format
        let finished = png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)  // frees on return
        guard finished != 0, image.warning_or_error & 0x03 < 2 else {
            return ImageError.decodeFailed(file: name, reason: message(of: image))
        }
        return nil
    }

    /// libpng's message from a failed call.
    static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "unknown libpng error" : text
        }
    }
}

/// The simplified API's sample layouts MLAN asks for (png.h's `PNG_FORMAT_*`, built from its flags).
enum PNGFormat {
    static let rgb = UInt32(PNG_FORMAT_FLAG_COLOR)
    static let rgba = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
    static let linearGray = UInt32(PNG_FORMAT_FLAG_LINEAR)
    static let linearRGB = UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR)
}

extension [UInt8] {
    /// Writes `value` to the three channels of pixel `index`.
    fileprivate mutating func replicate(_ value: UInt8, at index: Int) {
        self[index * 3] = value
        self[index * 3 + 1] = value
        self[index * 3 + 2] = value
    }
}
