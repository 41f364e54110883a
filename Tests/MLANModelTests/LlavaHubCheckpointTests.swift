import Foundation
import MLANCore
import MLANData
import MLANTestSupport
import Testing
@testable import MLANModel

/// A llava-hf checkpoint as the Hub ships it (3 BF16 shards with an index, a SentencePiece tokenizer.json with
/// `<image>` and `<pad>` added, a `preprocessor_config.json` without padding) gives transformers' ids, pixels and
/// logits (`shared/fixtures/llava-hf-bf16-sharded`).
@Suite(.serialized) struct LlavaHubCheckpointTests {
    static let folder = SharedPaths.fixture("llava-hf-bf16-sharded")
    static func reference() throws -> SafetensorsFile { try SafetensorsFile.load(from: folder.appendingPathComponent("ref.safetensors")) }

    @Test func shardedBF16CheckpointGivesTransformersIdsPixelsAndLogits() throws {
        let loaded = try MultimodalLoader.load(model: Self.folder)
        let ref = try Self.reference()
        #expect(loaded.tokenizer is LlamaTokenizer)
        #expect(!loaded.imageProcessor.padToSquare && loaded.imageProcessor.shortestEdge == 48)

        // Ids: MLAN writes one image token per image; transformers' processor writes one per feature row.
        let prompt = "USER: <image>\nWhat is in the picture? ASSISTANT:"
        let ids = loaded.encode(prompt: prompt).ids
        let expanded = ids.flatMap { $0 == 32000 ? Array(repeating: 32000, count: 16) : [$0] }
        #expect(expanded == (try ref.integers(named: "input_ids")))

        // Pixels: no pad-to-square, as the preprocessor config says.
        let image = Self.folder.appendingPathComponent("image.png")
        let pixels = try loaded.pixels(image)
        let refPixels = try ref.tensor(named: "pixel_values").scalars
        #expect(maxAbsDifference(pixels.values, refPixels) < 1e-5)

        // Logits of the upcast BF16 weights, in both id conventions, at transformers' positions.
        let positions = try ref.integers(named: "logits_positions")
        let refRows = try ref.tensor(named: "logits_at_positions")  // [1, 3, 32064]
        let v = 32064
        for given in [ids, expanded] {
            let logits = try loaded.logits(ids: given, images: [image], allPositions: true)  // [34, V]
            #expect(logits.shape == [34, v])
            for (k, position) in positions.enumerated() {
                let row = Array(logits.scalars[(position * v)..<((position + 1) * v)])
                let expected = Array(refRows.scalars[(k * v)..<((k + 1) * v)])
                let scale = expected.map(abs).max() ?? 1
                #expect(maxAbsDifference(row, expected) <= 1e-4 * scale, "position \(position)")
            }
            let argmax = try ref.integers(named: "logits_argmax")
            let ours = (0..<34).map { t in
                (0..<v).max { logits.scalars[t * v + $0] < logits.scalars[t * v + $1] } ?? 0
            }
            #expect(ours == argmax)
        }
    }

    @Test func storedBytesStayBF16AndUpcastExactly() throws {
        let source = try SafetensorsSource(directory: Self.folder)
        let name = "language_model.model.layers.0.self_attn.q_proj.weight"
        let stored = try source.storedTensor(named: name)
        #expect(stored.dtype == .bfloat16 && stored.shape == [32, 32] && stored.bytes.count == 32 * 32 * 2)
        #expect(try stored.float32().scalars == source.tensor(named: name).scalars)
        // Through the LLaVA renaming (vision_tower.vision_model.* -> vision_tower.*) the bytes are the same.
        let renamed = RenamedSource(source, rename: LlavaKeyMap.ourName(forCheckpointKey:))
        let tower = "vision_tower.embeddings.class_embedding"
        #expect(try renamed.storedTensor(named: tower) == source.storedTensor(named: "vision_tower.vision_model.embeddings.class_embedding"))
    }

    @Test func indexThatDisagreesWithItsShardsIsRejected() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for shard in 1...3 {
            let name = "model-0000\(shard)-of-00003.safetensors"
            try FileManager.default.copyItem(at: Self.folder.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        var index = try String(contentsOf: Self.folder.appendingPathComponent("model.safetensors.index.json"), encoding: .utf8)
        index = index.replacingOccurrences(of: "\"language_model.lm_head.weight\": \"model-00001-of-00003.safetensors\"",
                                           with: "\"language_model.lm_head.weight\": \"model-00002-of-00003.safetensors\"")
        try index.write(to: directory.appendingPathComponent("model.safetensors.index.json"), atomically: true, encoding: .utf8)
        #expect {
            try SafetensorsSource(directory: directory)
        } throws: { error in
            "\(error)".contains("model.safetensors.index.json") && "\(error)".contains("language_model.lm_head.weight")
        }
    }

    @Test func preprocessorConfigIsHonouredAndOriginalConfigsPad() throws {
        let hub = try CLIPImageProcessor.load(from: Self.folder.appendingPathComponent("preprocessor_config.json"))
        #expect(hub == CLIPImageProcessor(shortestEdge: 48, padToSquare: false))
        let llava = try CLIPImageProcessor.load(from: writeJSON(
            #"{"image_processor_type": "LlavaImageProcessor", "do_pad": true, "size": {"shortest_edge": 336}, "crop_size": {"height": 336, "width": 336}}"#))
        #expect(llava == .llava)
        #expect(try CLIPImageProcessor.load(from: writeJSON(llava.preprocessorConfig.jsonString())) == llava)
        #expect {
            try CLIPImageProcessor.load(from: writeJSON(#"{"size": {"shortest_edge": 48}, "resample": 2}"#))
        } throws: { "\($0)".contains("resample") }
        #expect {
            try CLIPImageProcessor.load(from: writeJSON(#"{"size": {"height": 48, "width": 64}}"#))
        } throws: { "\($0)".contains("size") }
        // An original LLaVA-1.5 config (`image_aspect_ratio: pad`, no preprocessor_config.json) pads to square.
        var config = LlavaConfig.tiny
        config.imageAspectRatio = "pad"
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-empty-\(UUID().uuidString)")
        #expect(try MultimodalLoader.processor(directory: empty, config).padToSquare)
        config.imageAspectRatio = "square"
        #expect(try !MultimodalLoader.processor(directory: empty, config).padToSquare)
    }

    private func writeJSON(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-pre-\(UUID().uuidString).json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}

private func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "\(a.count) vs \(b.count)")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
