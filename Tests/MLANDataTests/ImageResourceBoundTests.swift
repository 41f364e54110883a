import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

/// Images whose headers declare more pixels than the limit, or than their compressed data could hold, are
/// rejected with the declared size before any pixel buffer is allocated.
@Suite struct ImageResourceBoundTests {
    /// A PNG of `width`x`height` 8-bit RGB whose single IDAT chunk holds `idat` (not necessarily valid zlib).
    static func png(width: UInt32, height: UInt32, idat: [UInt8]) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return PNGStream.bigEndian(UInt32(data.count)) + body + PNGStream.bigEndian(CRC32.checksum(body))
        }
        let ihdr = PNGStream.bigEndian(width) + PNGStream.bigEndian(height) + [8, 2, 0, 0, 0]
        return PNGStream.signature + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    @Test func pngOfABillionPixelsIsRejectedByThePixelLimit() {
        let error = #expect(throws: ImageError.self) {
            try ImageDecoder.decode(Self.png(width: 100_000, height: 10_000, idat: [0x78, 0x9C]), name: "huge.png")
        }
        guard case .unsupported(let file, let reason)? = error else {
            Issue.record("expected .unsupported, got \(String(describing: error))"); return
        }
        #expect(file == "huge.png" && reason.contains("100000x10000"))
    }

    @Test func pngWhoseIDATCannotInflateToItsDeclaredSizeIsRejectedBeforeDecoding() {
        // 16384 x 16384 = 2^28 pixels: within the limit, but 64 bytes of deflate data inflate to at most 66 KB.
        let error = #expect(throws: ImageError.self) {
            try ImageDecoder.decodePNG(Self.png(width: 16_384, height: 16_384, idat: [UInt8](repeating: 0, count: 64)),
                                       name: "bomb.png")
        }
        guard case .truncated(let file, let reason)? = error else {
            Issue.record("expected .truncated, got \(String(describing: error))"); return
        }
        #expect(file == "bomb.png")
        #expect(reason.contains("16384x16384") && reason.contains("805306368 bytes") && reason.contains("64 bytes"))
    }

    @Test func highlyCompressedValidPNGStillDecodes() throws {
        // A uniform image compresses close to deflate's limit; the bound must not reject it.
        let image = RGBImage(width: 1024, height: 768, filledWith: (0, 0, 0))
        let bytes = try image.pngData()
        let stream = try PNGStream(bytes, name: "flat.png")
        let compressed = stream.chunks.filter { $0.type == "IDAT" }.reduce(0) { $0 + $1.dataRange.count }
        #expect(compressed * 200 < 1024 * 768 * 3, "only \(compressed) compressed bytes for 2.3 MB of samples")
        #expect(try ImageDecoder.decodePNG(bytes, name: "flat.png") == image)
    }

    /// `bytes` with the SOF dimensions replaced.
    static func resizedJPEG(_ bytes: [UInt8], width: UInt16, height: UInt16) throws -> [UInt8] {
        var bytes = bytes
        let sof = try #require((2..<(bytes.count - 9)).first { bytes[$0] == 0xFF && [0xC0, 0xC1, 0xC2].contains(bytes[$0 + 1]) })
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [UInt8(height >> 8), UInt8(height & 0xFF),
                                                            UInt8(width >> 8), UInt8(width & 0xFF)])
        return bytes
    }

    @Test(arguments: ["photo_420_q75.jpg", "photo_progressive.jpg", "bird_gray.jpg"])
    func jpegDeclaringMoreBlocksThanItsBytesCanCodeIsRejectedBeforeDecoding(name: String) throws {
        let original = [UInt8](try Data(contentsOf: SharedPaths.fixture("jpeg/\(name)")))
        let bytes = try Self.resizedJPEG(original, width: 16_000, height: 16_000)
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decodeJPEG(bytes, name: name) }
        guard case .truncatedJPEG(let file, let reason)? = error else {
            Issue.record("expected .truncatedJPEG, got \(String(describing: error))"); return
        }
        #expect(file == name && reason.contains("16000x16000") && reason.contains("\(bytes.count) bytes"))
    }

    @Test func jpegOfMoreThanThePixelLimitIsRejected() throws {
        let original = [UInt8](try Data(contentsOf: SharedPaths.fixture("jpeg/gradient_1x1.jpg")))
        let bytes = try Self.resizedJPEG(original, width: 65_000, height: 65_000)
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decodeJPEG(bytes, name: "wide.jpg") }
        guard case .unsupported(_, let reason)? = error else {
            Issue.record("expected .unsupported, got \(String(describing: error))"); return
        }
        #expect(reason.contains("65000x65000"))
    }
}
