/// Whether decoding applies the EXIF `Orientation` tag (0x0112) a JPEG may carry.
public enum ImageOrientation: Sendable, Equatable {
    /// Pixels as stored, as Pillow's `Image.open` gives them (the default everywhere in MLAN).
    case asStored
    /// Pixels turned upright as the EXIF tag says, as Pillow's `ImageOps.exif_transpose` does.
    case exifApplied
}

/// The EXIF `Orientation` of a JPEG stream, read from its first `APP1` `Exif` segment before the first scan.
enum EXIFOrientation {
    /// The tag's value (1 to 8), or nil when the stream has no such tag or it is malformed.
    static func value(in bytes: [UInt8]) -> Int? {
        var offset = 2  // after SOI
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { return nil }  // start of scan, end of image
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2 else { return nil }  // the length counts its own two bytes
            let data = (offset + 4)..<min(bytes.count, offset + 2 + length)
            if marker == 0xE1, bytes[data].starts(with: Array("Exif\0\0".utf8)) {
                return tiffOrientation(Array(bytes[(data.lowerBound + 6)..<data.upperBound]))
            }
            offset += 2 + length
        }
        return nil
    }

    /// The Orientation entry of IFD0 in a TIFF structure.
    private static func tiffOrientation(_ tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func read(_ at: Int, _ size: Int) -> Int? {
            guard at >= 0, at + size <= tiff.count else { return nil }
            let bytes = tiff[at..<(at + size)]
            return (littleEndian ? bytes.reversed() : Array(bytes)).reduce(0) { $0 << 8 | Int($1) }
        }
        guard let ifd = read(4, 4), let count = read(ifd, 2) else { return nil }
        for entry in 0..<count {
            let base = ifd + 2 + entry * 12
            guard let tag = read(base, 2) else { return nil }
            if tag == 0x0112 {
                guard read(base + 2, 2) == 3, let value = read(base + 8, 2) else { return nil }  // SHORT
                return (1...8).contains(value) ? value : nil
            }
        }
        return nil
    }
}

extension RGBImage {
    /// The image turned upright for EXIF orientation `value` (1 to 8), as Pillow's `ImageOps.exif_transpose`:
    /// 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90°
    /// counter-clockwise. Other values leave it unchanged. Orientations 5 to 8 swap width and height.
    public func oriented(exif value: Int) -> RGBImage {
        guard (2...8).contains(value) else { return self }
        let swaps = value >= 5
        let outWidth = swaps ? height : width, outHeight = swaps ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let (sx, sy): (Int, Int)
                switch value {
                case 2: (sx, sy) = (width - 1 - x, y)
                case 3: (sx, sy) = (width - 1 - x, height - 1 - y)
                case 4: (sx, sy) = (x, height - 1 - y)
                case 5: (sx, sy) = (y, x)
                case 6: (sx, sy) = (y, height - 1 - x)
                case 7: (sx, sy) = (width - 1 - y, height - 1 - x)
                default: (sx, sy) = (width - 1 - y, x)
                }
                let target = (y * outWidth + x) * 3, source = (sy * width + sx) * 3
                out[target] = pixels[source]
                out[target + 1] = pixels[source + 1]
                out[target + 2] = pixels[source + 2]
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }
}
