import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

@Suite struct MicroWorldSceneTests {
    static let nlvrFile = SharedPaths.dataFile("nlvr/test/test.json")

    @Test func everyNLVRTestRecordDecodesIntoAScene() throws {
        let records = try NLVRSceneRecord.load(from: Self.nlvrFile)
        #expect(records.count == 990)
        #expect(Set(records.map(\.identifier)).count == 990)
        #expect(records.allSatisfy { $0.scene.boxes.count == 3 && $0.scene.objectCount >= 3 })
        #expect(records.reduce(0) { $0 + $1.scene.objectCount } == 8860)  // the file's object count
        let first = try #require(records.first)
        #expect(first.identifier == "3776-0" && first.directory == "2" && first.label)
        #expect(first.scene.boxes[1].map(\.color) == [.blue, .blue, .yellow])
        #expect(first.scene.boxes[0] == [SceneObject(shape: .square, color: .yellow, size: .medium, x: 40, y: 80)])
        #expect(first.imagePath(permutation: 3) == "images/2/test-3776-0-3.png")
    }

    @Test func kindCountsCountEachKindPerBoxUpToTheCap() throws {
        func object(_ size: SceneSize, _ color: SceneColor, _ shape: SceneShape) -> SceneObject {
            SceneObject(shape: shape, color: color, size: size, x: 10, y: 10)
        }
        let scene = Scene(boxes: [[object(.small, .yellow, .square), object(.small, .yellow, .square),
                                   object(.small, .yellow, .square), object(.large, .blue, .circle)],
                                  [], [object(.medium, .black, .triangle)]])
        let names = ObjectWords.compound.allNames
        #expect(Scene.kindCount == 27 && names.count == 27)
        func slot(_ box: Int, _ name: String) throws -> Int { box * 27 + (try #require(names.firstIndex(of: name))) }
        var expected = [Int](repeating: 0, count: 81)
        expected[try slot(0, "smallyellowsquare")] = 2
        expected[try slot(0, "largebluecircle")] = 1
        expected[try slot(2, "mediumblacktriangle")] = 1
        #expect(scene.kindCounts(cappedAt: 2) == expected)
        expected[try slot(0, "smallyellowsquare")] = 1
        #expect(scene.kindCounts(cappedAt: 1) == expected)
        // A real NLVR scene: every object lands in its box's slots.
        let nlvr = try #require(try NLVRSceneRecord.load(from: Self.nlvrFile).first).scene
        #expect(nlvr.kindCounts(cappedAt: 9).reduce(0, +) == nlvr.objectCount)
        for box in 0..<3 { #expect(nlvr.kindCounts(cappedAt: 9)[(box * 27)..<(box * 27 + 27)].reduce(0, +) == nlvr.boxes[box].count) }
    }

    @Test func structuredRepRoundTripsThroughEncoding() throws {
        let lines = try String(contentsOf: Self.nlvrFile, encoding: .utf8).split(separator: "\n").prefix(50)
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let original = try JSONSerialization.data(withJSONObject: try #require(object["structured_rep"]),
                                                      options: [.sortedKeys])
            let scene = try JSONDecoder().decode(Scene.self, from: original)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            #expect(try encoder.encode(scene) == original)
        }
    }

    @Test(arguments: [
        (#"[[{"x_loc":1,"y_loc":2,"size":20,"type":"square","color":"Red"}],[],[]]"#, "unknown colour \"Red\""),
        (#"[[{"x_loc":1,"y_loc":2,"size":25,"type":"square","color":"Black"}],[],[]]"#, "size 25 is not 10, 20 or 30"),
        (#"[[{"x_loc":1,"y_loc":2,"size":20,"type":"star","color":"Black"}],[],[]]"#, "unknown shape \"star\""),
        (#"[[{"x_loc":85,"y_loc":2,"size":20,"type":"square","color":"Black"}],[],[]]"#, "outside"),
        (#"[[],[]]"#, "a scene has 3 boxes, found 2"),
    ])
    func invalidStructuredRepsAreRejectedWithTheReason(json: String, reason: String) {
        #expect {
            _ = try JSONDecoder().decode(Scene.self, from: Data(json.utf8))
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }

    @Test func aBadNLVRLineIsReportedWithItsLineAndFieldPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-nlvr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("test.json")
        let good = #"{"sentence":"s","label":"true","identifier":"1-0","directory":"1","structured_rep":[[],[],[]]}"#
        let bad = #"{"sentence":"s","label":"true","identifier":"2-0","directory":"1","structured_rep":"#
            + #"[[],[{"x_loc":1,"y_loc":2,"size":20,"type":"square","color":"Pink"}],[]]}"#
        try (good + "\n\n" + bad + "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: MicroWorldError.malformedNLVR(file: file.path, line: 3, field: "structured_rep[1][0].color",
                                                      reason: "unknown colour \"Pink\"")) {
            try NLVRSceneRecord.load(from: file)
        }
        try (good + "\n" + good.replacingOccurrences(of: #""label":"true""#, with: #""label":"maybe""#))
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: MicroWorldError.malformedNLVR(file: file.path, line: 2, field: "label",
                                                      reason: "expected \"true\" or \"false\", found \"maybe\"")) {
            try NLVRSceneRecord.load(from: file)
        }
    }

    @Test func generatedScenesHaveOneToFourSeparateObjectsPerBoxInsideTheBox() {
        var rng = SplitMix64(seed: 7)
        let generator = SceneGenerator()
        var perBox = Set<Int>(), colors = Set<SceneColor>(), shapes = Set<SceneShape>(), sizes = Set<SceneSize>()
        for _ in 0..<500 {
            let scene = generator.scene(using: &rng)
            for box in scene.boxes {
                perBox.insert(box.count)
                for (i, object) in box.enumerated() {
                    colors.insert(object.color); shapes.insert(object.shape); sizes.insert(object.size)
                    #expect(object.x >= 0 && object.y >= 0)
                    #expect(object.x + object.side <= 100 && object.y + object.side <= 100)
                    for other in box[(i + 1)...] { #expect(!object.overlaps(other, margin: generator.margin)) }
                }
            }
        }
        #expect(perBox == [1, 2, 3, 4])
        #expect(colors.count == 3 && shapes.count == 3 && sizes.count == 3)
    }

    @Test func sameGeneratorStateGivesTheSameScene() {
        var a = SplitMix64(seed: 11, label: "x"), b = SplitMix64(seed: 11, label: "x"), c = SplitMix64(seed: 12, label: "x")
        let generator = SceneGenerator()
        let first = generator.scene(using: &a)
        #expect(first == generator.scene(using: &b))
        #expect(first != generator.scene(using: &c))
    }

    @Test func descriptionListsEveryObjectBoxByBoxLeftToRight() throws {
        let records = try NLVRSceneRecord.load(from: Self.nlvrFile)
        for record in records.prefix(200) {
            let text = SceneDescriber.description(record.scene)
            // "first box: a ... and a .... second box: ...": split back into boxes and phrases.
            let boxes = text.components(separatedBy: " box: ").dropFirst().map { part in
                part.components(separatedBy: ".")[0]
                    .replacingOccurrences(of: " and ", with: ", ").components(separatedBy: ", ")
            }
            #expect(boxes.count == 3)
            for (box, phrases) in boxes.enumerated() {
                let objects = record.scene.boxes[box]
                let phrase = { (o: SceneObject) in "a \(o.size.word) \(o.color.word) \(o.shape.rawValue)" }
                #expect(phrases.sorted() == objects.map(phrase).sorted())
                // Left to right: match each phrase to the leftmost unused object with that phrase.
                var unused = objects, centers: [Double] = []
                for text in phrases {
                    let matches = unused.indices.filter { phrase(unused[$0]) == text }
                    let index = try #require(matches.min { unused[$0].centerX < unused[$1].centerX })
                    centers.append(unused.remove(at: index).centerX)
                }
                #expect(centers == centers.sorted())
            }
            #expect(SceneDescriber.caption(record.scene).hasSuffix("in the third box."))
        }
    }
}
