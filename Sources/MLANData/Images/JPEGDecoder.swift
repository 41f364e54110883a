import CJPEG

/// Decodes JPEG files to ``RGBImage`` through libjpeg-turbo, the way Pillow's `Image.open(...).convert("RGB")`
/// does, byte for byte.
///
/// libjpeg runs with its default decompression parameters, which are Pillow's: the accurate integer IDCT
/// (`JDCT_ISLOW`), fancy (triangle-filter) chroma upsampling, block smoothing, no DCT scaling. Baseline and
/// progressive files, any chroma subsampling, restart markers and any size decode; YCbCr and Adobe RGB
/// (transform 0) come out as RGB, grayscale is replicated, and CMYK/YCCK (Adobe-inverted) converts with Pillow's
/// formula `R = round(C * K / 255)` on the stored samples (Pillow's `round((255 - C') * (255 - K') / 255)` on its
/// inverted ones). EXIF orientation is not applied (as `Image.open`) unless asked for.
enum JPEGDecoder {
    /// The JPEG in `bytes`; `name` appears in errors.
    /// - Throws: `ImageError.truncatedJPEG` when the data ends before the last row, `.corruptJPEG` with
    ///   libjpeg's message when it rejects the data, `.unsupported` for more than ``ImageDecoder/maxPixelCount``.
    static func decode(_ bytes: [UInt8], name: String) throws(ImageError) -> RGBImage {
        let decoder = UnsafeMutablePointer<mlan_jpeg_decoder>.allocate(capacity: 1)
        defer { decoder.deallocate() }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(ImageError) -> RGBImage in
            defer { mlan_jpeg_destroy(decoder) }
            guard mlan_jpeg_read_header(decoder, buffer.baseAddress, buffer.count) != 0 else {
                throw failure(decoder, name)
            }
            let width = Int(decoder.pointee.cinfo.image_width), height = Int(decoder.pointee.cinfo.image_height)
            guard width > 0, height > 0, width <= ImageDecoder.maxPixelCount / height else {
                throw ImageError.unsupported(file: name, reason: "JPEG of \(width)x\(height) pixels")
            }
            try checkCodedSize(decoder.pointee.cinfo, byteCount: bytes.count, width: width, height: height, name: name)
            let components = Int(decoder.pointee.cinfo.num_components)
            let colorSpace = decoder.pointee.cinfo.jpeg_color_space
            let output: (space: J_COLOR_SPACE, channels: Int)
            switch (components, colorSpace) {
            case (1, _): output = (JCS_GRAYSCALE, 1)
            case (4, JCS_CMYK), (4, JCS_YCCK): output = (JCS_CMYK, 4)
            case (3, JCS_YCbCr), (3, JCS_RGB): output = (JCS_RGB, 3)
            default:
                throw ImageError.unsupported(file: name, reason: "JPEG with \(components) components in colour "
                                             + "space \(colorSpace.rawValue)")
            }
            var samples = [UInt8](repeating: 0, count: width * height * output.channels)
            let decoded = samples.withUnsafeMutableBufferPointer {
                mlan_jpeg_decode(decoder, output.space, $0.baseAddress, $0.count)
            }
            guard decoded != 0, decoder.pointee.hit_end_of_data == 0 else { throw failure(decoder, name) }
            return RGBImage(width: width, height: height, pixels: rgb(from: samples, channels: output.channels))
        }
    }

    /// Huffman coding spends at least one bit per 8x8 block (its DC difference), so a file with fewer bits than
    /// its components have blocks cannot hold the image it declares: rejected before the output is allocated.
    /// (Arithmetic coding can go below a bit per block; only the pixel limit bounds it.)
    /// - Throws: `ImageError.truncatedJPEG` with the block count and the file size.
    private static func checkCodedSize(_ info: jpeg_decompress_struct, byteCount: Int, width: Int, height: Int,
                                       name: String) throws(ImageError) {
        guard info.arith_code == 0, let components = info.comp_info else { return }
        var blocks = 0
        for index in 0..<Int(info.num_components) {
            blocks += Int(components[index].width_in_blocks) * Int(components[index].height_in_blocks)
        }
        guard blocks <= byteCount * 8 else {
            throw ImageError.truncatedJPEG(file: name, reason: "\(width)x\(height) pixels take \(blocks) blocks "
                                           + "of at least one bit each, more than the file's \(byteCount) bytes hold")
        }
    }

    /// The error libjpeg reported: truncation when the data ran out, corruption otherwise.
    private static func failure(_ decoder: UnsafeMutablePointer<mlan_jpeg_decoder>, _ name: String) -> ImageError {
        let message = withUnsafeBytes(of: decoder.pointee.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if decoder.pointee.hit_end_of_data != 0 {
            return .truncatedJPEG(file: name, reason: message.isEmpty ? "the data ends early" : message)
        }
        return .corruptJPEG(file: name, reason: message.isEmpty ? "unknown libjpeg error" : message)
    }

    /// RGB bytes from gray (replicated), RGB (unchanged) or Adobe-inverted CMYK samples (Pillow's conversion).
    private static func rgb(from samples: [UInt8], channels: Int) -> [UInt8] {
        switch channels {
        case 1:
            return samples.flatMap { [$0, $0, $0] }
        case 4:
            let pixelCount = samples.count / 4
            var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
            for i in 0..<pixelCount {
                let k = Int(samples[i * 4 + 3])
                for c in 0..<3 { rgb[i * 3 + c] = UInt8((Int(samples[i * 4 + c]) * k + 127) / 255) }
            }
            return rgb
        default:
            return samples
        }
    }
}
