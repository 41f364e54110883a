import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

/// One case of `fixtures/images/reference.json`.
struct CLIPFixtureCase: Sendable, CustomTestStringConvertible {
    let image: String
    let padToSquare: Bool
    let size: Int
    var key: String { "\(image).\(padToSquare ? "pad" : "nopad").pixel_values" }
    var testDescription: String { key }

    static func all() throws -> [CLIPFixtureCase] {
        let data = try Data(contentsOf: SharedPaths.fixture("images/reference.json"))
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let cases = root?["cases"] as? [[String: Any]] ?? []
        return cases.compactMap { item in
            guard let image = item["image"] as? String, let pad = item["pad_to_square"] as? Bool,
                  let size = item["size"] as? Int else { return nil }
            return CLIPFixtureCase(image: image, padToSquare: pad, size: size)
        }
    }
}

@Suite struct ImageProcessorTests {
    @Test func fixtureListsTwelveCases() throws {
        #expect(try CLIPFixtureCase.all().count == 12)
    }

    @Test(arguments: try CLIPFixtureCase.all())
    func pixelValuesMatchHuggingFaceWithin1e4(fixture: CLIPFixtureCase) throws {
        let tensors = try FixtureTensors(contentsOf: SharedPaths.fixture("images/reference.safetensors"))
        let (expected, shape) = try tensors.floats(fixture.key)
        let image = try ImageDecoder.decodePNG(contentsOf: SharedPaths.fixture("images/\(fixture.image)"))
        let processor = CLIPImageProcessor(shortestEdge: fixture.size, padToSquare: fixture.padToSquare)
        let pixels = processor(image)
        #expect(pixels.shape == shape)
        let worst = zip(pixels.values, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "max abs difference \(worst)")
    }

    @Test func shortestEdgeResizeTruncatesTheLongEdgeLikeHuggingFace() {
        let processor = CLIPImageProcessor(shortestEdge: 336)
        #expect(processor.resizedSize(height: 429, width: 750) == (336, 587))  // 336 * 750 / 429 = 587.41
        #expect(processor.resizedSize(height: 64, width: 40) == (537, 336))    // 336 * 64 / 40 = 537.6
        #expect(processor.resizedSize(height: 33, width: 33) == (336, 336))
    }

    @Test func padBackgroundIsTheMeanColourTruncated() {
        #expect(CLIPImageProcessor.llava.background == (122, 116, 104))
    }

    @Test func padToSquareCentresWithFlooredOffsets() {
        let wide = RGBImage(width: 4, height: 1, filledWith: (9, 9, 9)).paddedToSquare(background: (1, 2, 3))
        #expect(wide.width == 4 && wide.height == 4)
        #expect((0..<4).map { wide[0, $0].0 } == [1, 9, 1, 1])  // offset (4 - 1) // 2 = 1
        let tall = RGBImage(width: 2, height: 5, filledWith: (9, 9, 9)).paddedToSquare(background: (1, 2, 3))
        #expect((0..<5).map { tall[$0, 0].0 } == [1, 9, 9, 1, 1])  // offset (5 - 2) // 2 = 1
        #expect(tall[0, 0] == (1, 2, 3))
    }

    @Test func centerCropPadsWithZerosWhenTheImageIsSmaller() {
        let image = RGBImage(width: 2, height: 3, filledWith: (200, 100, 50))
        let cropped = CLIPImageProcessor.centerCrop(image, height: 4, width: 4)
        let firsts = (0..<4).map { y in (0..<4).map { x in cropped[x, y].0 } }
        // rows: pad top ceil((4 - 3) / 2) = 1; columns: pad left ceil((4 - 2) / 2) = 1
        #expect(firsts == [[0, 0, 0, 0], [0, 200, 200, 0], [0, 200, 200, 0], [0, 200, 200, 0]])
    }

    @Test func centerCropUsesFlooredOffsets() {
        var rng = SplitMix64(seed: 5)
        let image = RGBImage(width: 7, height: 6, pixels: (0..<(7 * 6 * 3)).map { _ in UInt8(rng.nextInt(below: 256)) })
        let cropped = CLIPImageProcessor.centerCrop(image, height: 3, width: 4)
        #expect(cropped[0, 0] == image[1, 1])  // left (7 - 4) // 2 = 1, top (6 - 3) // 2 = 1
        #expect(cropped[3, 2] == image[4, 3])
    }

    @Test func bicubicResizeKeepsAConstantImageConstant() {
        let image = RGBImage(width: 31, height: 17, filledWith: (255, 0, 77))
        for (width, height) in [(8, 5), (64, 40), (31, 9), (50, 17)] {
            let resized = BicubicResampler.resize(image, width: width, height: height)
            #expect(resized == RGBImage(width: width, height: height, filledWith: (255, 0, 77)))
        }
    }

    @Test func bicubicWeightsSumToOneInFixedPoint() {
        for (input, output) in [(750, 587), (429, 336), (40, 32), (30, 45)] {
            let weights = BicubicResampler.Weights(inputSize: input, outputSize: output)
            for sample in 0..<output {
                let sum = weights.values[(sample * weights.stride)..<(sample * weights.stride + weights.counts[sample])]
                    .reduce(0, +)
                #expect(abs(sum - (1 << 22)) <= weights.counts[sample], "sample \(sample) of \(input)->\(output)")
            }
        }
    }
}

/// The stretch mode: a resize to a fixed height × width (aspect ratio not kept) and no crop, as transformers'
/// `CLIPImageProcessor` with `size: {height, width}` and `do_center_crop: false`.
@Suite struct StretchedImageProcessorTests {
    /// A 400 × 100 image (NLVR's size) whose colour changes along both axes.
    static func scene() -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: 400 * 100 * 3)
        for y in 0..<100 {
            for x in 0..<400 {
                let i = (y * 400 + x) * 3
                (pixels[i], pixels[i + 1], pixels[i + 2]) = (UInt8(x * 255 / 399), UInt8(y * 255 / 99), UInt8((x + y) % 256))
            }
        }
        return RGBImage(width: 400, height: 100, pixels: pixels)
    }

    @Test func stretchesTheWholeImageToTheTowerSizeWithoutCropping() {
        let processor = CLIPImageProcessor.stretched(height: 128, width: 128)
        #expect(processor.resizedSize(height: 100, width: 400) == (128, 128))
        let image = Self.scene()
        let stretched = processor.resizedAndCropped(image)
        #expect(stretched == BicubicResampler.resize(image, width: 128, height: 128))
        // Both ends of the image survive: the left column stays dark red, the right one bright red.
        #expect(stretched.pixels[0] < 8 && stretched.pixels[(128 - 1) * 3] > 247)
        let pixels = processor(image)
        #expect(pixels.shape == [3, 128, 128])
        let red = (Float(stretched.pixels[0]) / 255 - CLIPImageProcessor.clipMean[0]) / CLIPImageProcessor.clipStd[0]
        #expect(abs(pixels.values[0] - red) < 1e-6)
    }

    @Test func preprocessorConfigRoundTripsAndTellsTransformersNotToCrop() throws {
        for processor in [CLIPImageProcessor.stretched(height: 128, width: 128), .stretched(height: 32, width: 128)] {
            let config = processor.preprocessorConfig
            #expect(config["do_center_crop"]?.boolValue == false)
            #expect(config["size"]?["height"]?.intValue == processor.cropSize)
            #expect(config["size"]?["width"]?.intValue == processor.cropWidth ?? processor.cropSize)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-stretch-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(config.jsonBytes(pretty: true)).write(to: url)
            #expect(try CLIPImageProcessor.load(from: url) == processor)
        }
    }

    @Test func aFixedSizeWithADifferentCropOrACropWithoutAFixedSizeIsRefused() throws {
        func load(_ text: String) throws -> CLIPImageProcessor {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-stretch-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: url) }
            try text.write(to: url, atomically: true, encoding: .utf8)
            return try CLIPImageProcessor.load(from: url)
        }
        #expect(try load(#"{"size": {"height": 64, "width": 64}, "crop_size": 64}"#) == .stretched(height: 64, width: 64))
        #expect { try load(#"{"size": {"height": 64, "width": 64}, "crop_size": 32}"#) } throws: { "\($0)".contains("size") }
        #expect { try load(#"{"size": {"shortest_edge": 64}, "do_center_crop": false}"#) } throws: {
            "\($0)".contains("do_center_crop")
        }
    }
}
