import Foundation
import Testing
@testable import MLANCore

/// Headers that claim absurd counts, lengths or sizes fail with an error naming the field, without allocating
/// for what they claim (a test process asked for 2^60 of anything would die, not throw).
// The limit only guards against a hang: alone the suite takes under a second, beside the model tests far longer.
@Suite(.timeLimit(.minutes(10))) struct ResourceBoundTests {
    private func ggufError(_ bytes: [UInt8]) -> GGUFError? {
        #expect(throws: GGUFError.self) { try GGUFFile(bytes: bytes, path: "claims.gguf") }
    }

    private func header(tensors: UInt64, keys: UInt64) -> [UInt8] {
        Array("GGUF".utf8) + littleEndianBytes(UInt32(3)) + littleEndianBytes(tensors) + littleEndianBytes(keys)
    }

    @Test func ggufClaimingTwoToTheSixtyTensorsIsRejected() {
        let error = ggufError(header(tensors: 1 << 60, keys: 0) + [UInt8](repeating: 0, count: 64))
        guard case .lengthExceedsFile(_, let field, let length, _)? = error else {
            Issue.record("expected .lengthExceedsFile, got \(String(describing: error))"); return
        }
        #expect(field == "tensor count" && length == 1 << 60)
        #expect(error?.description.contains("claims.gguf") == true)
    }

    @Test func ggufClaimingTwoToTheSixtyMetadataKeysIsRejected() {
        guard case .lengthExceedsFile(_, "metadata count", 1 << 60, _)? = ggufError(header(tensors: 0, keys: 1 << 60))
        else { Issue.record("expected .lengthExceedsFile for the metadata count"); return }
    }

    @Test func ggufArrayAndStringClaimingHugeLengthsAreRejected() {
        var array = GGUFTestBuilder()
        array.add("tokenizer.ggml.tokens", .array, littleEndianBytes(GGUFValueType.string.rawValue) + littleEndianBytes(UInt64(1) << 60))
        guard case .lengthExceedsFile(_, let field, _, _)? = ggufError(array.build()) else {
            Issue.record("expected .lengthExceedsFile for the array"); return
        }
        #expect(field.contains("element count of \"tokenizer.ggml.tokens\""))

        var string = GGUFTestBuilder()
        string.add("general.name", .string, littleEndianBytes(UInt64(1) << 60) + Array("x".utf8))
        guard case .lengthExceedsFile(_, let field, _, _)? = ggufError(string.build()) else {
            Issue.record("expected .lengthExceedsFile for the string"); return
        }
        #expect(field.contains("general.name"))
    }

    @Test func ggufTensorOfOneTerabyteIsRejected() {
        var builder = GGUFTestBuilder()
        builder.addTensor("token_embd.weight", dimensions: [1 << 20, 1 << 18], type: .f32, data: [0, 0, 0, 0])
        guard case .tensorOutOfRange(_, "token_embd.weight", _, let byteCount, _)? = ggufError(builder.build()) else {
            Issue.record("expected .tensorOutOfRange"); return
        }
        #expect(byteCount == 1 << 40)
    }

    @Test func ggufTensorWhoseSizeOverflowsIsRejected() {
        var builder = GGUFTestBuilder()
        builder.addTensor("w", dimensions: [1 << 32, 1 << 32, 16], type: .f32, data: [])
        guard case .invalidTensorInfo(_, "w", let reason)? = ggufError(builder.build()) else {
            Issue.record("expected .invalidTensorInfo"); return
        }
        #expect(reason.contains("overflow"))
    }

    private func safetensorsError(_ bytes: [UInt8]) -> SafetensorsError? {
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(bytes: bytes, path: "claims.safetensors") }
    }

    private func safetensors(header: String, data: Int = 16) -> [UInt8] {
        littleEndianBytes(UInt64(header.utf8.count)) + Array(header.utf8) + [UInt8](repeating: 0, count: data)
    }

    @Test func safetensorsHeaderLengthOfTwoToTheSixtyIsRejected() {
        let error = safetensorsError(littleEndianBytes(UInt64(1) << 60) + Array("{}".utf8))
        guard case .headerLengthOutOfRange(_, let length, _)? = error else {
            Issue.record("expected .headerLengthOutOfRange, got \(String(describing: error))"); return
        }
        #expect(length == 1 << 60)
    }

    @Test func safetensorsTensorOfOneTerabyteIsRejected() {
        let error = safetensorsError(safetensors(header: #"{"w": {"dtype": "F32", "shape": [262144, 1048576], "data_offsets": [0, 16]}}"#))
        guard case .sizeMismatch(_, "w", _, _, let expected, 16)? = error else {
            Issue.record("expected .sizeMismatch, got \(String(describing: error))"); return
        }
        #expect(expected == 1 << 40)
        let offsets = safetensorsError(safetensors(header: #"{"w": {"dtype": "F32", "shape": [262144, 1048576], "data_offsets": [0, 1099511627776]}}"#))
        guard case .offsetsOutOfRange(_, "w", 0, 1 << 40, 16)? = offsets else {
            Issue.record("expected .offsetsOutOfRange, got \(String(describing: offsets))"); return
        }
    }

    @Test func safetensorsShapeThatOverflowsIsRejected() {
        let error = safetensorsError(safetensors(header: #"{"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 16]}}"#))
        guard case .invalidTensorEntry(_, "w", let reason)? = error else {
            Issue.record("expected .invalidTensorEntry, got \(String(describing: error))"); return
        }
        #expect(reason.contains("overflows"))
    }

    @Test func safetensorsHeaderNestedBeyondTheJSONLimitIsRejected() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        guard case .invalidHeader(_, let reason)? = safetensorsError(safetensors(header: #"{"w": "# + deep + "}")) else {
            Issue.record("expected .invalidHeader"); return
        }
        #expect(reason.contains("nest"))
    }
}
