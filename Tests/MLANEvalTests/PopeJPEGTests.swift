import Foundation
import MLANData
import MLANTestSupport
import Testing
@testable import MLANEval

/// POPE against COCO val2014 JPEGs (`--image-dir`): fixture JPEGs copied at test time under the COCO names the
/// first POPE questions ask about, scored by the tiny LLaVA through `LlavaScorer`'s default JPEG-aware decoding.
@Suite(.serialized) struct PopeJPEGTests {
    static let cocoNames = ["COCO_val2014_000000310196.jpg", "COCO_val2014_000000210789.jpg",
                            "COCO_val2014_000000429109.jpg", "COCO_val2014_000000211674.jpg"]
    static let fixtureJPEGs = ["photo_420_q75.jpg", "photo_progressive.jpg", "bird_gray.jpg", "tomato_cmyk.jpg"]

    /// A folder holding the fixture JPEGs under COCO names.
    static func cocoFolder() throws -> URL {
        let folder = try temporaryDirectory()
        for (coco, fixture) in zip(cocoNames, fixtureJPEGs) {
            try FileManager.default.copyItem(at: SharedPaths.fixture("jpeg/\(fixture)"),
                                             to: folder.appendingPathComponent(coco))
        }
        return folder
    }

    static func scorer() throws -> LlavaScorer {
        LlavaScorer(model: try AdapterFixtures.llava(), tokenizer: try AdapterFixtures.tokenizer(),
                    template: AdapterFixtures.template, identity: "tiny-llava chatml")
    }

    @Test func popeRunsOnCOCOJPEGsFromTheImageFolder() throws {
        let folder = try Self.cocoFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = sharedOptions
        options.popeImageDirectory = folder
        let task = try BuiltinTasks.task(named: "pope_random", protocol: .lmEval, options: options)
        let asked = try foundationJSONLines("pope/coco_pope_random.json").prefix(12).compactMap { $0["image"] as? String }
        #expect(asked.count == 12 && Set(asked).isSubset(of: Set(Self.cocoNames)), "the first questions ask about \(Set(asked))")
        let report = try runner(Self.scorer(), EvalOptions(limit: .count(12), batchSize: 4)).run([task])
        #expect(report.tasks[0].effectiveCount == 12)
        #expect(!report.tasks[0].metrics.isEmpty)
    }

    @Test func aCorruptCOCOJPEGFailsNamingTheFile() throws {
        let folder = try Self.cocoFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent(Self.cocoNames[0])
        try FileManager.default.removeItem(at: broken)
        try FileManager.default.copyItem(at: SharedPaths.fixture("jpeg/bad_truncated.jpg"), to: broken)
        var options = sharedOptions
        options.popeImageDirectory = folder
        let task = try BuiltinTasks.task(named: "pope_random", protocol: .lmEval, options: options)
        #expect {
            try runner(Self.scorer(), EvalOptions(limit: .count(2))).run([task])
        } throws: { "\($0)".contains(Self.cocoNames[0]) && "\($0)".contains("truncated") }
    }
}
