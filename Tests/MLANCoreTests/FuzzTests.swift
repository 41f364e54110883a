import Foundation
import MLANTestSupport
import Testing
@testable import MLANCore

/// Seeded, bounded mutation fuzzing of the safetensors and GGUF readers: every mutated file must end in a thrown
/// error or a successful parse whose tensors all read — never a crash, a hang or a huge allocation.
// The limit only guards against a hang: alone the suite takes under a second, beside the model tests far longer.
@Suite(.timeLimit(.minutes(10))) struct FuzzTests {
    /// Parses `bytes` as safetensors and reads every tensor; returns whether the file was accepted.
    private func exerciseSafetensors(_ bytes: [UInt8]) -> Bool {
        guard let file = try? SafetensorsFile(bytes: bytes, path: "fuzz.safetensors") else { return false }
        for name in file.names {
            guard let info = try? file.info(named: name) else { continue }
            if info.dtype.isFloatingPoint {
                _ = try? file.tensor(named: name)
            } else {
                _ = try? file.integers(named: name)
            }
        }
        return true
    }

    /// Parses `bytes` as GGUF, reads the typed metadata and dequantizes every tensor; returns whether it opened.
    private func exerciseGGUF(_ bytes: [UInt8]) -> Bool {
        guard let file = try? GGUFFile(bytes: bytes, path: "fuzz.gguf") else { return false }
        for key in file.metadataKeys {
            _ = try? file.string(key)
            _ = try? file.int(key)
            _ = try? file.stringArray(key)
            _ = try? file.intArray(key)
        }
        for info in file.tensorInfos { _ = try? file.tensor(named: info.name) }
        return true
    }

    private func safetensorsSeeds() throws -> [[UInt8]] {
        let fixture = [UInt8](try Data(contentsOf: SharedPaths.fixture("tiny-llava/ref.safetensors")))
        let written = try SafetensorsWriter.encode([
            "w": .float32(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])),
            "ids": .int64(shape: [2], values: [3, -1]), "n": .int32(shape: [1], values: [9]),
            "px": .uint8(shape: [3], values: [1, 2, 3]),
        ], metadata: ["format": "pt"])
        let halves = handWritten([("h", "F16", [2], [0, 60, 0, 188]), ("b", "BF16", [1], [128, 63]),
                                  ("u", "U64", [1], littleEndianBytes(UInt64.max))])
        return [fixture, written, halves]
    }

    @Test func truncatedSafetensorsAlwaysFail() throws {
        var rng = SplitMix64(seed: 11)
        for seed in try safetensorsSeeds() {
            var lengths = Array(0..<min(80, seed.count))
            for _ in 0..<60 { lengths.append(Int(rng.next() % UInt64(seed.count))) }
            for length in lengths {
                #expect(!exerciseSafetensors(Array(seed.prefix(length))), "accepted a cut at \(length) bytes")
            }
        }
    }

    @Test func safetensorsWithFlippedBytesNeverCrash() throws {
        var rng = SplitMix64(seed: 12)
        var accepted = 0, rejected = 0
        for seed in try safetensorsSeeds() {
            let headerEnd = 8 + Int(seed.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            for _ in 0..<100 {
                var bytes = seed
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let inHeader = rng.next() % 4 != 0
                    let position = Int(rng.next() % UInt64(inHeader ? headerEnd : bytes.count))
                    bytes[position] ^= UInt8(1 + rng.next() % 255)
                }
                if exerciseSafetensors(bytes) { accepted += 1 } else { rejected += 1 }
            }
        }
        #expect(rejected > 0 && accepted > 0, "accepted \(accepted), rejected \(rejected)")
    }

    @Test func safetensorsWithHugeLengthsShapesAndOffsetsFailCleanly() throws {
        var rng = SplitMix64(seed: 13)
        let replacements = ["99999999999999999999", "18446744073709551615", "9223372036854775807", "4294967296",
                            "-1", "1e30", "2305843009213693952"]
        var cases = 0
        for seed in try safetensorsSeeds() {
            let headerLength = Int(seed.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            for declared: UInt64 in [0, 1, 7, UInt64(seed.count), 100_000_001, 1 << 63, UInt64.max] {
                #expect(!exerciseSafetensors(littleEndianBytes(declared) + seed.dropFirst(8)))
                cases += 1
            }
            _ = exerciseSafetensors(littleEndianBytes(UInt64(headerLength - 1)) + seed.dropFirst(8))  // may parse
            cases += 1
            let header = Array(seed[8..<(8 + headerLength)])
            var digitRuns: [Range<Int>] = []
            var index = 0
            while index < header.count {
                guard (48...57).contains(header[index]) else { index += 1; continue }
                let start = index
                while index < header.count, (48...57).contains(header[index]) { index += 1 }
                digitRuns.append(start..<index)
            }
            for _ in 0..<60 {
                var edited = header
                let run = digitRuns[Int(rng.next() % UInt64(digitRuns.count))]
                edited.replaceSubrange(run, with: Array(replacements[Int(rng.next() % UInt64(replacements.count))].utf8))
                _ = exerciseSafetensors(littleEndianBytes(UInt64(edited.count)) + edited + seed[(8 + headerLength)...])
                cases += 1
            }
        }
        #expect(cases == 3 * 68)
    }

    /// The byte offsets of a valid GGUF file's header fields, found by walking its structure.
    private struct GGUFFields {
        var lengths: [Int] = [], typeCodes: [Int] = [], dimensionCounts: [Int] = []
        var dimensions: [Int] = [], tensorTypes: [Int] = [], tensorOffsets: [Int] = []
        var headerEnd = 0

        init(_ bytes: [UInt8]) {
            func u32(_ at: Int) -> Int { Int(bytes[at..<(at + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }) }
            func u64(_ at: Int) -> Int { Int(bytes[at..<(at + 8)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }) }
            var offset = 24
            lengths += [8, 16]
            func skipValue(_ type: Int) {
                switch type {
                case 0, 1, 7: offset += 1
                case 2, 3: offset += 2
                case 4, 5, 6: offset += 4
                case 10, 11, 12: offset += 8
                case 8: lengths.append(offset); offset += 8 + u64(offset)
                default:
                    typeCodes.append(offset)
                    let elementType = u32(offset)
                    lengths.append(offset + 4)
                    let count = u64(offset + 4)
                    offset += 12
                    for _ in 0..<count { skipValue(elementType) }
                }
            }
            for _ in 0..<u64(16) {
                lengths.append(offset)
                offset += 8 + u64(offset)
                typeCodes.append(offset)
                let type = u32(offset)
                offset += 4
                skipValue(type)
            }
            for _ in 0..<u64(8) {
                lengths.append(offset)
                offset += 8 + u64(offset)
                dimensionCounts.append(offset)
                let count = u32(offset)
                offset += 4
                for _ in 0..<count { dimensions.append(offset); offset += 8 }
                tensorTypes.append(offset); offset += 4
                tensorOffsets.append(offset); offset += 8
            }
            headerEnd = offset
        }
    }

    @Test func truncatedAndFlippedGGUFNeverCrash() throws {
        let seed = [UInt8](try Data(contentsOf: SharedPaths.fixture("gguf/types.gguf")))
        #expect(exerciseGGUF(seed))
        let fields = GGUFFields(seed)
        var rng = SplitMix64(seed: 21)
        var lengths = Array(stride(from: 0, to: fields.headerEnd, by: 7))
        for _ in 0..<80 { lengths.append(Int(rng.next() % UInt64(seed.count))) }
        for length in lengths where length < fields.headerEnd {
            #expect(!exerciseGGUF(Array(seed.prefix(length))), "accepted a cut at \(length) bytes")
        }
        for length in lengths where length >= fields.headerEnd { _ = exerciseGGUF(Array(seed.prefix(length))) }
        var accepted = 0, rejected = 0
        for _ in 0..<250 {
            var bytes = seed
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let position = Int(rng.next() % UInt64(rng.next() % 5 == 0 ? bytes.count : fields.headerEnd))
                bytes[position] ^= UInt8(1 + rng.next() % 255)
            }
            if exerciseGGUF(bytes) { accepted += 1 } else { rejected += 1 }
        }
        #expect(rejected > 0 && accepted > 0, "accepted \(accepted), rejected \(rejected)")
    }

    @Test func ggufWithHugeCountsLengthsAndDimensionsFailsCleanly() throws {
        let seed = [UInt8](try Data(contentsOf: SharedPaths.fixture("gguf/types.gguf")))
        let fields = GGUFFields(seed)
        #expect(fields.lengths.count > 25 && fields.dimensions.count == 22)
        func mutate(_ offset: Int, _ value: some FixedWidthInteger) -> [UInt8] {
            var bytes = seed
            let encoded = littleEndianBytes(value)
            bytes.replaceSubrange(offset..<(offset + encoded.count), with: encoded)
            return bytes
        }
        var cases = 0
        for offset in fields.lengths {
            for value: UInt64 in [UInt64.max, 1 << 62, 1 << 32, UInt64(seed.count)] {
                #expect(!exerciseGGUF(mutate(offset, value)), "accepted length \(value) at byte \(offset)")
                cases += 1
            }
        }
        for offset in fields.typeCodes + fields.tensorTypes {
            for value: UInt32 in [13, 99, UInt32.max] { _ = exerciseGGUF(mutate(offset, value)); cases += 1 }
        }
        for offset in fields.dimensionCounts {
            for value: UInt32 in [0, 5, UInt32.max] { #expect(!exerciseGGUF(mutate(offset, value))); cases += 1 }
        }
        for offset in fields.dimensions {
            for value: UInt64 in [UInt64.max, 1 << 40, 1 << 20, 0] { _ = exerciseGGUF(mutate(offset, value)); cases += 1 }
        }
        for offset in fields.tensorOffsets {
            for value: UInt64 in [1, 1 << 63, UInt64.max - 31, UInt64(seed.count)] {
                #expect(!exerciseGGUF(mutate(offset, value)))
                cases += 1
            }
        }
        #expect(cases > 300)
    }
}
