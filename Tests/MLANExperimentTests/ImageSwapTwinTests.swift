import Foundation
import Testing
@testable import MLANExperiment

/// The image-swap twin keeps every document and its order, and rotates the images by one.
struct ImageSwapTwinTests {
    static func folder(definition: String, documents: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-swap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(definition.utf8).write(to: folder.appendingPathComponent("t.json"))
        try Data(documents.utf8).write(to: folder.appendingPathComponent("t.jsonl"))
        return folder
    }

    static let definition = #"{"task": "micro_t", "documents": {"format": "jsonl", "path": "t.jsonl"}, "modality": "vision"}"#

    @Test func eachDocumentTakesTheNextDocumentsImageAndTheTaskIsRenamed() throws {
        let folder = try Self.folder(definition: Self.definition, documents: """
            {"id": "a", "image": "1.png", "prompt": "p"}
            {"id": "b", "image": "2.png", "prompt": "q"}
            {"id": "c", "image": "3.png", "prompt": "r"}

            """)
        defer { try? FileManager.default.removeItem(at: folder) }
        let twin = try ImageSwapTwin.write(besides: folder.appendingPathComponent("t.json"))
        #expect(twin.lastPathComponent == "t_swapped.json")
        let task = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: twin)) as? [String: Any])
        #expect(task["task"] as? String == "micro_t_swapped" && task["modality"] as? String == "vision")
        #expect((task["documents"] as? [String: Any])?["path"] as? String == "t_swapped.jsonl")
        let documents = try String(contentsOf: folder.appendingPathComponent("t_swapped.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]) }
        #expect(documents.map { $0["id"] } == ["a", "b", "c"] && documents.map { $0["prompt"] } == ["p", "q", "r"])
        #expect(documents.map { $0["image"] } == ["2.png", "3.png", "1.png"])
    }

    @Test func aDocumentWithoutAnImageIsAnErrorNamingItsFileAndRecord() throws {
        let folder = try Self.folder(definition: Self.definition, documents: "{\"id\": \"a\", \"image\": \"1.png\"}\n{\"id\": \"b\"}\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            try ImageSwapTwin.write(besides: folder.appendingPathComponent("t.json"))
        } throws: { error in
            "\(error)".contains("t.jsonl, record 2: no `image` field to swap")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("t_swapped.jsonl").path))
    }
}
