import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

/// A PNG layout: bit depth, colour type, interlacing.
struct PNGLayout: Sendable, CustomTestStringConvertible {
    let bitDepth: Int
    let colorType: Int
    let interlaced: Bool
    var testDescription: String { "depth \(bitDepth) type \(colorType)\(interlaced ? " interlaced" : "")" }
}

@Suite struct ImageDecoderTests {
    static let fixtureNames = ["rgb_48x40.png", "rgba_40x64.png", "gray_33x33.png", "palette_64x48.png",
                               "rgb16_30x20.png", "real.png"]

    /// Every (colour type, bit depth) pair PNG allows.
    static let layouts: [PNGLayout] = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2),
                                       (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)]
        .flatMap { type, depth in [false, true].map { PNGLayout(bitDepth: depth, colorType: type, interlaced: $0) } }

    @Test(arguments: fixtureNames)
    func decodedFixtureMatchesPillowConvertRGBExactly(name: String) throws {
        let tensors = try FixtureTensors(contentsOf: SharedPaths.fixture("images/reference.safetensors"))
        let (expected, shape) = try tensors.floats("\(name).rgb8")
        let image = try ImageDecoder.decodePNG(contentsOf: SharedPaths.fixture("images/\(name)"))
        #expect([image.height, image.width, 3] == shape)
        let mismatches = zip(image.pixels, expected).filter { Float($0) != $1 }.count
        #expect(mismatches == 0, "\(mismatches) of \(expected.count) samples differ")
    }

    /// Samples for `layout`, and the RGB bytes Pillow's `convert("RGB")` gives for them.
    static func sampleImage(_ layout: PNGLayout, seed: UInt64) -> (png: RawPNG, expected: [UInt8]) {
        let width = 13, height = 11
        var rng = SplitMix64(seed: seed)
        var png = RawPNG(width: width, height: height, bitDepth: layout.bitDepth, colorType: layout.colorType,
                         samples: [], interlaced: layout.interlaced)
        let maxSample = (1 << layout.bitDepth) - 1
        png.samples = (0..<(width * height * png.channels)).map { _ in rng.nextInt(below: maxSample + 1) }
        let eightBit: (Int) -> UInt8 = { v in
            layout.bitDepth == 16 ? UInt8(v >> 8) : UInt8(v * 255 / maxSample)
        }
        var expected: [UInt8] = []
        switch layout.colorType {
        case 0:
            for v in png.samples {
                let byte = layout.bitDepth == 16 ? UInt8(min(v, 255)) : eightBit(v)  // I;16 saturates
                expected += [byte, byte, byte]
            }
        case 2:
            expected = png.samples.map(eightBit)
        case 3:
            let palette = (0...maxSample).map { _ in (0..<3).map { _ in UInt8(rng.nextInt(below: 256)) } }
            png.extraChunks = [("PLTE", palette.flatMap { $0 }),
                               ("tRNS", (0...maxSample).map { UInt8($0 * 37 % 256) })]  // ignored by convert("RGB")
            expected = png.samples.flatMap { palette[$0] }
        case 4:
            for pixel in 0..<(width * height) {
                let gray = eightBit(png.samples[pixel * 2])
                expected += [gray, gray, gray]
            }
        default:
            for pixel in 0..<(width * height) { expected += (0..<3).map { eightBit(png.samples[pixel * 4 + $0]) } }
        }
        return (png, expected)
    }

    @Test(arguments: layouts)
    func everyLayoutDecodesLikePillow(layout: PNGLayout) throws {
        let (png, expected) = Self.sampleImage(layout, seed: UInt64(layout.bitDepth * 100 + layout.colorType))
        let image = try ImageDecoder.decodePNG(png.encoded(), name: layout.testDescription)
        #expect(image.width == 13 && image.height == 11)
        #expect(image.pixels == expected)
    }

    @Test func opaqueSixteenBitRGBAKeepsTheHighByte() throws {
        var (png, expected) = Self.sampleImage(PNGLayout(bitDepth: 16, colorType: 6, interlaced: false), seed: 7)
        for pixel in 0..<(png.width * png.height) { png.samples[pixel * 4 + 3] = 65535 }
        #expect(try ImageDecoder.decodePNG(png.encoded()).pixels == expected)
    }

    @Test(arguments: [false, true])
    func translucentSixteenBitRGBAKeepsTheHighByteExactlyAsPillow(interlaced: Bool) throws {
        var (png, expected) = Self.sampleImage(PNGLayout(bitDepth: 16, colorType: 6, interlaced: interlaced), seed: 8)
        for pixel in 0..<(png.width * png.height) { png.samples[pixel * 4 + 3] = pixel * 457 % 65536 }  // 0 included
        #expect(try ImageDecoder.decodePNG(png.encoded()).pixels == expected)
    }

    @Test func corruptSixteenBitRGBAFailsNamingTheFile() throws {
        var (png, _) = Self.sampleImage(PNGLayout(bitDepth: 16, colorType: 6, interlaced: false), seed: 9)
        png.extraChunks = []
        var bytes = png.encoded()
        bytes[bytes.count - 12 - 40] ^= 0xFF  // inside IDAT's stored data: its CRC no longer matches
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decodePNG(bytes, name: "bad16.png") }
        guard case .decodeFailed(let file, let reason)? = error else {
            Issue.record("expected .decodeFailed, got \(String(describing: error))"); return
        }
        #expect(file == "bad16.png" && !reason.isEmpty)
    }

    @Test func gammaAndColourChunksAreIgnoredLikePillow() throws {
        var (png, expected) = Self.sampleImage(PNGLayout(bitDepth: 8, colorType: 2, interlaced: false), seed: 3)
        let gammaOne: [UInt8] = [0, 1, 0x86, 0xA0]  // gAMA 100000 = linear; libpng alone would re-encode to sRGB
        png.extraChunks = [("gAMA", gammaOne), ("tRNS", [0, 10, 0, 20, 0, 30])]
        #expect(try ImageDecoder.decodePNG(png.encoded()).pixels == expected)
    }

    @Test func jpegFileFailsNamingTheFileAndItsKind() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-\(UUID().uuidString).png")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ImageError.notPNG(file: url.path, detected: "JPEG data")) {
            try ImageDecoder.decodePNG(contentsOf: url)
        }
    }

    @Test func truncatedPNGFailsAsTruncated() throws {
        let bytes = try [UInt8](Data(contentsOf: SharedPaths.fixture("images/rgb_48x40.png")))
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decodePNG(Array(bytes.prefix(bytes.count / 2)), name: "half.png") }
        guard case .truncated(let file, _)? = error else { Issue.record("expected .truncated, got \(String(describing: error))"); return }
        #expect(file == "half.png")
    }

    @Test func corruptImageDataFailsWithLibpngsMessage() throws {
        var (png, _) = Self.sampleImage(PNGLayout(bitDepth: 8, colorType: 2, interlaced: false), seed: 4)
        png.extraChunks = []
        var bytes = png.encoded()
        let idat = bytes.count - 12 - 40  // inside IDAT's data, before its CRC and IEND
        bytes[idat] ^= 0xFF
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decodePNG(bytes, name: "bad.png") }
        guard case .decodeFailed(let file, let reason)? = error else {
            Issue.record("expected .decodeFailed, got \(String(describing: error))"); return
        }
        #expect(file == "bad.png")
        #expect(!reason.isEmpty)
    }

    @Test func missingFileFailsAsUnreadable() {
        let url = URL(fileURLWithPath: "/nonexistent/mlan/image.png")
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decodePNG(contentsOf: url) }
        guard case .unreadable(let file, _)? = error else { Issue.record("expected .unreadable"); return }
        #expect(file == url.path)
    }

    @Test func encodedPNGDecodesToTheSamePixelsAndWritesAtomically() throws {
        var rng = SplitMix64(seed: 11)
        let image = RGBImage(width: 17, height: 9, pixels: (0..<(17 * 9 * 3)).map { _ in UInt8(rng.nextInt(below: 256)) })
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-png-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.png")
        try image.writePNG(to: url)
        #expect(try ImageDecoder.decodePNG(contentsOf: url) == image)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.png"])
    }
}
