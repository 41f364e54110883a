import Foundation
import MLANData

/// Small seeds cut from the fixtures' 32 000-piece Llama 2 vocabularies (`MLAN_FUZZ_FIXTURES` names the fixtures
/// folder; `Scripts/fuzz.sh` sets it). Every input of the tokenizer targets builds a whole tokenizer, so a full
/// vocabulary costs about a second per input under ASan; the same file formats with a few hundred pieces run
/// the same parsing and encoding code a thousand times faster. The full-size files still run once per
/// `make fuzz` (see `Scripts/fuzz.sh`).
enum SmallSeeds {
    /// Pieces kept: the three control pieces, the 256 byte pieces, then the highest-priority merges.
    static let pieces = 640

    static var fixtures: URL? {
        ProcessInfo.processInfo.environment["MLAN_FUZZ_FIXTURES"].map { URL(fileURLWithPath: $0) }
    }

    static func fixture(_ path: String) -> [UInt8]? {
        guard let url = fixtures?.appendingPathComponent(path), let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }

    /// `llama2-tokenizer/tokenizer.model` with only its first `pieces` pieces (every other field as it is).
    static func sentencePieceModel() -> [UInt8]? {
        guard let bytes = fixture("llama2-tokenizer/tokenizer.model") else { return nil }
        var reader = WireReader(bytes: bytes), out: [UInt8] = [], kept = 0
        while reader.offset < bytes.count {
            let start = reader.offset
            guard let key = reader.varint(), reader.skip(wireType: Int(key & 7)) else { return nil }
            if key >> 3 == 1 {  // ModelProto.pieces
                kept += 1
                if kept > pieces { continue }
            }
            out += bytes[start..<reader.offset]
        }
        return out
    }

    /// A Llama `tokenizer.json` (byte fallback, merges from the scores) of the trimmed `tokenizer.model`.
    static func llamaTokenizerJSON() -> [UInt8]? {
        guard let model = sentencePieceModel(),
              let tokenizer = try? LlamaTokenizer(vocabulary: SentencePieceVocabulary(modelProto: model)) else { return nil }
        let url = Scratch.root.appendingPathComponent("seed-llama-tokenizer.json")
        guard (try? tokenizer.write(to: url)) != nil, let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }

    /// `llama2-tokenizer/ggml-vocab-llama-spm.gguf` (metadata only, no tensors) with every vocabulary-sized array
    /// cut to `pieces` elements and `llama.vocab_size` to match.
    static func ggufVocabulary() -> [UInt8]? {
        guard let bytes = fixture("llama2-tokenizer/ggml-vocab-llama-spm.gguf"), bytes.count >= 24,
              Array(bytes[0..<4]) == Array("GGUF".utf8) else { return nil }
        var r = LittleEndianReader(bytes: bytes, offset: 8)
        guard let tensors = r.uint64(), tensors == 0, let count = r.uint64() else { return nil }
        var out = Array(bytes[0..<24])
        for _ in 0..<count {
            let keyStart = r.offset
            guard let key = r.string(), let type = r.uint32() else { return nil }
            out += bytes[keyStart..<r.offset]
            if type == 9 {  // array: element type, count, elements
                guard let element = r.uint32(), let length = r.uint64() else { return nil }
                let keep = length >= 32_000 ? UInt64(pieces) : length
                out += le(element) + le(keep)
                for index in 0..<length {
                    let start = r.offset
                    guard r.skipValue(type: element) else { return nil }
                    if index < keep { out += bytes[start..<r.offset] }
                }
            } else if key == "llama.vocab_size", type == 4 {
                guard r.uint32() != nil else { return nil }
                out += le(UInt32(pieces))
            } else {
                let start = r.offset
                guard r.skipValue(type: type) else { return nil }
                out += bytes[start..<r.offset]
            }
        }
        return out
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

/// Protocol-buffer wire format: varints and field skipping.
struct WireReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0, shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    mutating func skip(wireType: Int) -> Bool {
        switch wireType {
        case 0: return varint() != nil
        case 1: offset += 8
        case 2: guard let length = varint(), length <= UInt64(bytes.count - offset) else { return false }
            offset += Int(length)
        case 5: offset += 4
        default: return false
        }
        return offset <= bytes.count
    }
}

/// GGUF's little-endian scalars and strings.
struct LittleEndianReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { return nil }
        var value: T = 0
        for index in 0..<size { value |= T(bytes[offset + index]) << (8 * index) }
        offset += size
        return value
    }

    mutating func uint32() -> UInt32? { integer(UInt32.self) }
    mutating func uint64() -> UInt64? { integer(UInt64.self) }

    mutating func string() -> String? {
        guard let length = uint64(), length <= UInt64(bytes.count - offset) else { return nil }
        defer { offset += Int(length) }
        return String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
    }

    /// Skips one scalar or string of GGUF value `type` (nested arrays are not needed here).
    mutating func skipValue(type: UInt32) -> Bool {
        let sizes: [UInt32: Int] = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8]
        if type == 8 { return string() != nil }
        guard let size = sizes[type], offset + size <= bytes.count else { return false }
        offset += size
        return true
    }
}
