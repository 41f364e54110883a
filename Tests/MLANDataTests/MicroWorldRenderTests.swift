import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

@Suite struct MicroWorldRenderTests {
    /// The object colours that appear as exact pixels in `columns` of `image`.
    static func colors(in image: RGBImage, columns: Range<Int>) -> Set<SceneColor> {
        var found = Set<SceneColor>()
        image.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<image.height {
                for x in columns {
                    let offset = (y * image.width + x) * 3
                    switch (pixels[offset], pixels[offset + 1], pixels[offset + 2]) {
                    case (255, 255, 0): found.insert(.yellow)
                    case (0, 0, 0): found.insert(.black)
                    case (0, 153, 255): found.insert(.blue)
                    default: break
                    }
                }
            }
        }
        return found
    }

    @Test func renderingNLVRScenesAtFullSizeMatchesTheRealImages() throws {
        let records = try NLVRSceneRecord.load(from: MicroWorldSceneTests.nlvrFile)
        let renderer = SceneRenderer(width: 400, height: 100)
        var worstAgreement = 1.0
        for record in records {
            let real = try ImageDecoder.decodePNG(contentsOf: SharedPaths.dataFile("nlvr/test/" + record.imagePath()))
            let drawn = renderer.render(record.scene)
            #expect(real.width == 400 && real.height == 100)
            for box in 0..<3 {
                let columns = renderer.columns(ofBox: box)
                #expect(columns == box * 150..<box * 150 + 100)
                let expected = Set(record.scene.boxes[box].map(\.color))
                #expect(Self.colors(in: real, columns: columns) == expected, "\(record.identifier) box \(box)")
                #expect(Self.colors(in: drawn, columns: columns) == expected, "\(record.identifier) box \(box)")
            }
            var same = 0
            real.pixels.withUnsafeBufferPointer { a in
                drawn.pixels.withUnsafeBufferPointer { b in
                    for offset in stride(from: 0, to: a.count, by: 3)
                    where a[offset] == b[offset] && a[offset + 1] == b[offset + 1] && a[offset + 2] == b[offset + 2] {
                        same += 1
                    }
                }
            }
            worstAgreement = min(worstAgreement, Double(same) / Double(400 * 100))
        }
        // Only antialiased edge pixels differ (the worst of the 990 images agrees on 98.2% of its pixels).
        #expect(worstAgreement > 0.975, "worst pixel agreement \(worstAgreement)")
    }

    @Test func groundAndSeparatorsUseNLVRsGreys() throws {
        let record = try #require(try NLVRSceneRecord.load(from: MicroWorldSceneTests.nlvrFile).first)
        let image = SceneRenderer(width: 400, height: 100).render(record.scene)
        #expect(image[0, 0] == (211, 211, 211) && image[99, 0] == (211, 211, 211) && image[150, 0] == (211, 211, 211))
        let grey: (UInt8, UInt8, UInt8) = (128, 128, 128)
        #expect(image[100, 50] == grey && image[149, 99] == grey && image[299, 0] == grey)
        // box 0's yellow square at x 40..<60, y 80..<100
        #expect(image[40, 80] == (255, 255, 0) && image[59, 99] == (255, 255, 0) && image[39, 80] == (211, 211, 211))
    }

    @Test(arguments: [(128, 32), (96, 32), (64, 64), (200, 50)])
    func smallRendersShowEachBoxsColoursInThatBox(width: Int, height: Int) {
        let renderer = SceneRenderer(width: width, height: height)
        var rng = SplitMix64(seed: 3, label: "render")
        for _ in 0..<200 {
            let scene = SceneGenerator().scene(using: &rng)
            let image = renderer.render(scene)
            #expect(image.width == width && image.height == height)
            var boxColumns = Set<Int>()
            for box in 0..<3 {
                let columns = renderer.columns(ofBox: box)
                boxColumns.formUnion(columns)
                #expect(Self.colors(in: image, columns: columns) == Set(scene.boxes[box].map(\.color)))
            }
            for x in 0..<width where !boxColumns.contains(x) {
                #expect((0..<height).allSatisfy { image[x, $0] == SceneRenderer.separatorColor })
            }
        }
    }

    @Test func everySmallObjectCoversAPixelCentreAt128x32() {
        // At 128 x 32 pixel centres are 3.125 units apart both ways; a small object (the smallest) at any integer
        // position must contain one, or it would vanish from the image.
        let centres = (0..<32).map { (Double($0) + 0.5) * 3.125 }
        for shape in SceneShape.allCases {
            for x in 0...90 {
                for y in 0...90 {
                    let object = SceneObject(shape: shape, color: .black, size: .small, x: x, y: y)
                    let hit = centres.contains { u in
                        centres.contains { v in SceneRenderer.covers(object, u: u, v: v) }
                    }
                    #expect(hit, "small \(shape) at \(x),\(y) covers no pixel centre")
                }
            }
        }
    }

    @Test func renderingIsDeterministicAndSurvivesPNGRoundTrip() throws {
        var rng = SplitMix64(seed: 9)
        let scene = SceneGenerator().scene(using: &rng)
        let renderer = SceneRenderer(width: 128, height: 32)
        let image = renderer.render(scene)
        #expect(renderer.render(scene) == image)
        #expect(try ImageDecoder.decodePNG(image.pngData()) == image)
    }
}
