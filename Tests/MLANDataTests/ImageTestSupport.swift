import Foundation
@testable import MLANData

/// A minimal safetensors reader for the image fixtures (MLANData cannot use MLANCore's):
/// 8-byte little-endian header length, a JSON header of `{name: {dtype, shape, data_offsets}}`, then raw bytes.
struct FixtureTensors {
    struct Entry {
        let dtype: String
        let shape: [Int]
        let bytes: ArraySlice<UInt8>
    }

    enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        var description: String { switch self { case .malformed(let reason): "safetensors: \(reason)" } }
    }

    let entries: [String: Entry]

    init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count >= 8 else { throw Failure.malformed("\(url.path) is shorter than 8 bytes") }
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        guard 8 + headerLength <= bytes.count else { throw Failure.malformed("header runs past the end") }
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any]
        guard let header else { throw Failure.malformed("header is not an object") }
        var entries: [String: Entry] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw Failure.malformed("entry \(name) lacks dtype, shape or data_offsets") }
            let start = 8 + headerLength + offsets[0], end = 8 + headerLength + offsets[1]
            guard start <= end, end <= bytes.count else { throw Failure.malformed("entry \(name) runs past the end") }
            entries[name] = Entry(dtype: dtype, shape: shape, bytes: bytes[start..<end])
        }
        self.entries = entries
    }

    /// A U8 tensor's bytes and shape.
    func bytes(_ name: String) throws -> (values: [UInt8], shape: [Int]) {
        guard let entry = entries[name] else { throw Failure.malformed("no tensor \(name)") }
        guard entry.dtype == "U8" else { throw Failure.malformed("\(name) is \(entry.dtype), expected U8") }
        return (Array(entry.bytes), entry.shape)
    }

    /// An I64 tensor's values and shape.
    func int64s(_ name: String) throws -> (values: [Int], shape: [Int]) {
        guard let entry = entries[name] else { throw Failure.malformed("no tensor \(name)") }
        guard entry.dtype == "I64" else { throw Failure.malformed("\(name) is \(entry.dtype), expected I64") }
        let base = entry.bytes.startIndex
        let values = (0..<(entry.bytes.count / 8)).map { i in
            Int(Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(entry.bytes[base + i * 8 + $1]) << (8 * $1) }))
        }
        return (values, entry.shape)
    }

    /// An F32 tensor's values and shape.
    func floats(_ name: String) throws -> (values: [Float], shape: [Int]) {
        guard let entry = entries[name] else { throw Failure.malformed("no tensor \(name)") }
        guard entry.dtype == "F32" else { throw Failure.malformed("\(name) is \(entry.dtype), expected F32") }
        let base = entry.bytes.startIndex
        let values = (0..<(entry.bytes.count / 4)).map { i -> Float in
            let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(entry.bytes[base + i * 4 + $1]) << (8 * $1) }
            return Float(bitPattern: bits)
        }
        return (values, entry.shape)
    }
}

/// Writes PNG files of any layout from raw samples, for decoder tests: stored (uncompressed) deflate blocks,
/// filters None/Sub/Up/Paeth cycling by row, optional Adam7 interlacing and extra chunks.
struct RawPNG {
    var width: Int
    var height: Int
    var bitDepth: Int
    /// 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
    var colorType: Int
    /// `height * width * channels` samples, each in `0..<(1 << bitDepth)`.
    var samples: [Int]
    var interlaced = false
    /// Chunks written between IHDR and IDAT (e.g. PLTE, tRNS, gAMA), as (type, data).
    var extraChunks: [(String, [UInt8])] = []

    var channels: Int {
        switch colorType {
        case 2: 3
        case 4: 2
        case 6: 4
        default: 1  // gray, palette
        }
    }

    func encoded() -> [UInt8] {
        var out = PNGStream.signature
        var ihdr = be32(width) + be32(height)
        ihdr += [UInt8(bitDepth), UInt8(colorType), 0, 0, interlaced ? 1 : 0]
        out += chunk("IHDR", ihdr)
        for (type, data) in extraChunks { out += chunk(type, data) }
        out += chunk("IDAT", zlibStored(scanlines()))
        out += chunk("IEND", [])
        return out
    }

    private func scanlines() -> [UInt8] {
        guard interlaced else { return filteredRows(xs: Array(0..<width), ys: Array(0..<height)) }
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        var data: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let xs = Array(stride(from: x0, to: width, by: dx)), ys = Array(stride(from: y0, to: height, by: dy))
            if !xs.isEmpty && !ys.isEmpty { data += filteredRows(xs: xs, ys: ys) }
        }
        return data
    }

    private func filteredRows(xs: [Int], ys: [Int]) -> [UInt8] {
        let bpp = max(1, channels * bitDepth / 8)
        var previous = [UInt8](repeating: 0, count: packedRow(xs: xs, y: ys[0]).count)
        var data: [UInt8] = []
        for (rowIndex, y) in ys.enumerated() {
            let raw = packedRow(xs: xs, y: y)
            let filter = [0, 1, 2, 4][rowIndex % 4]
            data.append(UInt8(filter))
            for i in 0..<raw.count {
                let a = i >= bpp ? Int(raw[i - bpp]) : 0, b = Int(previous[i]), c = i >= bpp ? Int(previous[i - bpp]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = a
                case 2: predictor = b
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: predictor = 0
                }
                data.append(UInt8((Int(raw[i]) - predictor) & 0xFF))
            }
            previous = raw
        }
        return data
    }

    private func packedRow(xs: [Int], y: Int) -> [UInt8] {
        var bits: [UInt8] = []
        var accumulator = 0, filled = 0
        for x in xs {
            for c in 0..<channels {
                let value = samples[(y * width + x) * channels + c]
                if bitDepth == 16 {
                    bits += [UInt8(value >> 8), UInt8(value & 0xFF)]
                } else if bitDepth == 8 {
                    bits.append(UInt8(value))
                } else {
                    accumulator = accumulator << bitDepth | value
                    filled += bitDepth
                    if filled == 8 { bits.append(UInt8(accumulator)); accumulator = 0; filled = 0 }
                }
            }
        }
        if filled > 0 { bits.append(UInt8(accumulator << (8 - filled))) }
        return bits
    }

    private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(Int(CRC32.checksum(body)))
    }

    private func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<offset + length]
            offset += length
        } while offset < data.count
        var a = 1, b = 0
        for byte in data { a = (a + Int(byte)) % 65521; b = (b + a) % 65521 }
        return out + be32(b << 16 | a)
    }

    private func be32(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
