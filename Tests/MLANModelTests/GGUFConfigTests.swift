import Foundation
import MLANCore
import Testing
@testable import MLANModel

/// `LlamaConfig(gguf:)` refuses metadata that would change the computation, naming the file and the key.
@Suite struct GGUFConfigTests {
    /// A GGUF metadata value this test writes.
    enum Value {
        case uint32(UInt32), float32(Float), string(String)
    }

    /// The bytes of a version-3 GGUF file with `metadata` and no tensors.
    static func gguf(_ metadata: [(String, Value)]) -> [UInt8] {
        func little<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        func string(_ text: String) -> [UInt8] { little(UInt64(text.utf8.count)) + Array(text.utf8) }
        var bytes = Array("GGUF".utf8) + little(UInt32(3)) + little(UInt64(0)) + little(UInt64(metadata.count))
        for (key, value) in metadata {
            bytes += string(key)
            switch value {
            case .uint32(let v): bytes += little(UInt32(4)) + little(v)
            case .float32(let v): bytes += little(UInt32(6)) + little(v.bitPattern)
            case .string(let v): bytes += little(UInt32(8)) + string(v)
            }
        }
        return bytes + Array(repeating: 0, count: (32 - bytes.count % 32) % 32)
    }

    /// The keys of a two-layer llama with 4 heads of 8 (2 KV heads), with `extra` replacing or adding keys.
    static func llama(_ extra: [(String, Value)] = []) throws -> GGUFFile {
        let base: [(String, Value)] = [
            ("general.architecture", .string("llama")), ("llama.embedding_length", .uint32(32)),
            ("llama.feed_forward_length", .uint32(48)), ("llama.block_count", .uint32(2)),
            ("llama.attention.head_count", .uint32(4)), ("llama.attention.head_count_kv", .uint32(2)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)), ("llama.vocab_size", .uint32(64)),
        ]
        let kept = base.filter { key, _ in !extra.contains { $0.0 == key } }
        return try GGUFFile(bytes: gguf(kept + extra), path: "test.gguf")
    }

    @Test func plainLlamaMetadataGivesTheConfig() throws {
        let config = try LlamaConfig(gguf: try Self.llama([("llama.rope.dimension_count", .uint32(8)),
                                                            ("llama.rope.scaling.type", .string("none"))]))
        #expect(config.hiddenSize == 32 && config.numKeyValueHeads == 2 && config.headSize == 8 && config.vocabSize == 64)
    }

    @Test(arguments: [
        ("llama.rope.scaling.type", Value.string("linear")),
        ("llama.rope.scaling.factor", Value.float32(4)),
        ("llama.rope.dimension_count", Value.uint32(4)),
        ("llama.attention.value_length", Value.uint32(16)),
        ("llama.attention.sliding_window", Value.uint32(4096)),
        ("llama.expert_count", Value.uint32(8)),
    ])
    func metadataItDoesNotImplementIsRejectedByKey(key: String, value: Value) throws {
        let file = try Self.llama([(key, value)])
        let error = #expect(throws: ModelError.self) { try LlamaConfig(gguf: file) }
        guard case .unsupportedConfig(let path, let field, _)? = error else {
            Issue.record("expected unsupportedConfig, got \(String(describing: error))")
            return
        }
        #expect(path == "test.gguf" && field == key)
    }

    @Test func headCountsThatDoNotDivideAreAnInvalidConfig() throws {
        let file = try Self.llama([("llama.attention.head_count_kv", .uint32(3))])
        let error = #expect(throws: ModelError.self) { try LlamaConfig(gguf: file) }
        #expect(error?.description.contains("test.gguf") == true && error?.description.contains("num_key_value_heads 3") == true)
    }

    @Test func rotaryWeightsWhoseRowsDoNotSplitIntoHeadsAreACheckpointError() throws {
        let error = #expect(throws: CheckpointError.self) {
            try KeyMap.unpermuteRotary(Tensor.zeros([6, 4]), heads: 2, name: "blk.0.attn_q.weight", path: "m.gguf")
        }
        #expect(error?.description == "m.gguf: tensor blk.0.attn_q.weight [6, 4] does not split into 2 rotary heads of an even size")
        let fits = try KeyMap.unpermuteRotary(Tensor(shape: [4, 1], scalars: [0, 1, 2, 3]), heads: 1)
        #expect(fits.scalars == [0, 2, 1, 3])
    }
}
