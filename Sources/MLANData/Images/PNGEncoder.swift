import CPNG
import Foundation

extension RGBImage {
    /// The image as an 8-bit RGB PNG (libpng's simplified writer).
    /// - Throws: `ImageError.encodeFailed` with libpng's message.
    public func pngData() throws(ImageError) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = PNGFormat.rgb
        var size: png_alloc_size_t = 0
        let stride = Int32(width * 3)
        let sized = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard sized != 0, size > 0 else {
            throw ImageError.encodeFailed(file: "<memory>", reason: ImageDecoder.message(of: image))
        }
        var out = [UInt8](repeating: 0, count: Int(size))
        let written = out.withUnsafeMutableBytes { buffer in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, buffer.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard written != 0 else {
            throw ImageError.encodeFailed(file: "<memory>", reason: ImageDecoder.message(of: image))
        }
        return Array(out.prefix(Int(size)))
    }

    /// Writes the image as an 8-bit RGB PNG, atomically: to a temporary file beside `url`, then renamed over it.
    /// - Throws: `ImageError.encodeFailed` or `.writeFailed` naming the file.
    public func writePNG(to url: URL) throws(ImageError) {
        let bytes: [UInt8]
        do { bytes = try pngData() } catch {
            throw ImageError.encodeFailed(file: url.path, reason: error.description)
        }
        do { try AtomicFile.write(bytes, to: url) } catch {
            throw ImageError.writeFailed(file: url.path, reason: error.description)
        }
    }
}
