import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

@Suite struct ImageJPEGTests {
    static let goodFiles = ["photo_420_q75.jpg", "photo_444_q95.jpg", "photo_progressive.jpg", "bird_422.jpg",
                            "bird_gray.jpg", "tomato_cmyk.jpg", "tomato_rgb_nontransformed.jpg", "bird_restart.jpg",
                            "gradient_37x23.jpg", "gradient_1x1.jpg", "gradient_q10_optimized.jpg",
                            "photo_exif_orient6.jpg"]

    static func reference() throws -> FixtureTensors {
        try FixtureTensors(contentsOf: SharedPaths.fixture("jpeg/reference.safetensors"))
    }

    @Test(arguments: goodFiles)
    func decodedJPEGMatchesPillowConvertRGBByteForByte(name: String) throws {
        let (expected, shape) = try Self.reference().bytes("\(name).rgb8")
        let image = try ImageDecoder.decodeJPEG(contentsOf: SharedPaths.fixture("jpeg/\(name)"))
        #expect([image.height, image.width, 3] == shape)
        let mismatches = zip(image.pixels, expected).filter { $0 != $1 }.count
        #expect(image.pixels.count == expected.count && mismatches == 0,
                "\(mismatches) of \(expected.count) samples differ")
    }

    @Test func exifOrientationIsIgnoredByDefaultAndAppliedOnRequest() throws {
        let url = SharedPaths.fixture("jpeg/photo_exif_orient6.jpg")
        let stored = try ImageDecoder.decode(contentsOf: url)
        #expect(stored.width == 64 && stored.height == 40)
        let upright = try ImageDecoder.decode(contentsOf: url, orientation: .exifApplied)
        let (expected, shape) = try Self.reference().bytes("photo_exif_orient6.jpg.exif_transposed.rgb8")
        #expect([upright.height, upright.width, 3] == shape)
        #expect(upright.pixels == expected)
    }

    @Test func fileWithoutEXIFIsUnchangedByTheAutoOrientOption() throws {
        let url = SharedPaths.fixture("jpeg/bird_422.jpg")
        #expect(try ImageDecoder.decode(contentsOf: url, orientation: .exifApplied) == ImageDecoder.decode(contentsOf: url))
    }

    @Test func exifOrientationsComposeLikeTheirGeometry() {
        var rng = SplitMix64(seed: 5)
        let image = RGBImage(width: 5, height: 3, pixels: (0..<45).map { _ in UInt8(rng.nextInt(below: 256)) })
        #expect(image.oriented(exif: 6).oriented(exif: 8) == image)
        #expect(image.oriented(exif: 3).oriented(exif: 3) == image)
        #expect(image.oriented(exif: 2).oriented(exif: 4) == image.oriented(exif: 3))
        #expect(image.oriented(exif: 6).oriented(exif: 2) == image.oriented(exif: 5))
        #expect(image.oriented(exif: 8).oriented(exif: 2) == image.oriented(exif: 7))
        #expect(image.oriented(exif: 5)[2, 4] == image[4, 2])
        #expect(image.oriented(exif: 1) == image)
    }

    @Test func truncatedJPEGFailsNamingTheFile() {
        let url = SharedPaths.fixture("jpeg/bad_truncated.jpg")
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decode(contentsOf: url) }
        guard case .truncatedJPEG(let file, _)? = error else {
            Issue.record("expected .truncatedJPEG, got \(String(describing: error))"); return
        }
        #expect(file == url.path)
        #expect(error?.description.contains("bad_truncated.jpg") == true)
    }

    @Test func corruptScanHeaderFailsWithLibjpegsMessage() {
        let url = SharedPaths.fixture("jpeg/bad_corrupt_sos.jpg")
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decode(contentsOf: url) }
        guard case .corruptJPEG(let file, let reason)? = error else {
            Issue.record("expected .corruptJPEG, got \(String(describing: error))"); return
        }
        #expect(file == url.path)
        #expect(!reason.isEmpty)
    }

    @Test(arguments: [0, 1, 2, 3, 100, 600, 2000])
    func everyPrefixOfAJPEGFailsWithoutCrashing(length: Int) throws {
        let bytes = try [UInt8](Data(contentsOf: SharedPaths.fixture("jpeg/bird_restart.jpg")))
        #expect(throws: ImageError.self) { try ImageDecoder.decode(Array(bytes.prefix(length)), name: "prefix.jpg") }
    }

    @Test func formatIsRecognisedByContentNotExtension() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-jpeg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let jpegAsPNG = folder.appendingPathComponent("actually-a-jpeg.png")
        let pngAsJPEG = folder.appendingPathComponent("actually-a-png.jpg")
        try FileManager.default.copyItem(at: SharedPaths.fixture("jpeg/gradient_37x23.jpg"), to: jpegAsPNG)
        try FileManager.default.copyItem(at: SharedPaths.fixture("images/rgb_48x40.png"), to: pngAsJPEG)
        #expect(try ImageDecoder.decode(contentsOf: jpegAsPNG)
                == ImageDecoder.decodeJPEG(contentsOf: SharedPaths.fixture("jpeg/gradient_37x23.jpg")))
        #expect(try ImageDecoder.decode(contentsOf: pngAsJPEG)
                == ImageDecoder.decodePNG(contentsOf: SharedPaths.fixture("images/rgb_48x40.png")))
        #expect(throws: ImageError.unrecognizedFormat(file: "gif", detected: "GIF data")) {
            try ImageDecoder.decode(Array("GIF89a".utf8), name: "gif")
        }
    }

    @Test func jpegPixelValuesMatchCLIPPreprocessing() throws {
        let processor = CLIPImageProcessor(shortestEdge: 336, cropSize: 336, padToSquare: false)
        let tensors = try FixtureTensors(contentsOf: SharedPaths.fixture("jpeg/reference.safetensors"))
        for name in ["photo_420_q75.jpg", "photo_444_q95.jpg", "photo_progressive.jpg"] {
            let (expected, _) = try tensors.floats("\(name).nopad.pixel_values")
            let pixels = processor(try ImageDecoder.decode(contentsOf: SharedPaths.fixture("jpeg/\(name)")))
            let worst = zip(pixels.values, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(pixels.values.count == expected.count && worst <= 1e-4, "\(name): worst \(worst)")
        }
    }
}
