import Foundation
import MLANTestSupport
import Testing
@testable import MLANCore

@Suite struct SafetensorsTests {
    static let fixtureFiles = [
        "tiny-llama/model.safetensors", "tiny-llama/ref.safetensors", "tiny-llama/grads.safetensors",
        "tiny-llama/params_after_adamw_step1.safetensors", "tiny-llava/model.safetensors",
        "tiny-llava/ref.safetensors", "tiny-llava/grads.safetensors", "images/reference.safetensors",
        "optim/initial.safetensors", "optim/batch.safetensors", "optim/after_each_step.safetensors",
        "gguf/types_dequantized.safetensors", "gguf/smollm2_first_rows.safetensors",
    ]

    @Test(arguments: fixtureFiles)
    func readsEveryTensorOfEveryFixtureFile(_ relativePath: String) throws {
        let file = try SafetensorsFile.load(from: SharedPaths.fixture(relativePath))
        #expect(!file.names.isEmpty)
        for name in file.names {
            let info = try file.info(named: name)
            if info.dtype.isFloatingPoint {
                let tensor = try file.tensor(named: name)
                #expect(tensor.shape == info.shape)
                #expect(tensor.count == info.elementCount)
            } else {
                #expect(try file.integers(named: name).count == info.elementCount)
            }
        }
    }

    @Test func readsIntegerAndByteTensorsOfTheLlavaReference() throws {
        let file = try SafetensorsFile.load(from: SharedPaths.fixture("tiny-llava/ref.safetensors"))
        let dtypes = Set(file.names.map { (try? file.info(named: $0).dtype) ?? .bool })
        #expect(dtypes == [.int64, .float32, .uint8])
        for name in file.names where try file.info(named: name).dtype == .uint8 {
            let bytes = try file.integers(named: name)
            #expect(bytes.allSatisfy { (0...255).contains($0) })
            #expect(Set(bytes).count > 1)
        }
        let labels = try SafetensorsFile.load(from: SharedPaths.fixture("tiny-llama/ref.safetensors"))
            .integers(named: "labels")
        #expect(labels.count == 32)
        #expect(labels.contains(-100))
    }

    @Test func readsMetadataOfAPyTorchSavedModel() throws {
        let file = try SafetensorsFile.load(from: SharedPaths.fixture("tiny-llama/model.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        #expect(try file.info(named: "model.embed_tokens.weight").shape == [128, 64])
    }

    /// Reading a file written by the Python package and writing its tensors back must give the same bytes.
    @Test(arguments: ["tiny-llama/model.safetensors", "tiny-llama/ref.safetensors", "tiny-llava/ref.safetensors",
                      "optim/after_each_step.safetensors"])
    func rewritingAFixtureReproducesItsBytesExactly(_ relativePath: String) throws {
        let url = SharedPaths.fixture(relativePath)
        let file = try SafetensorsFile.load(from: url)
        var entries: [String: SafetensorsEntry] = [:]
        for name in file.names {
            let info = try file.info(named: name)
            switch info.dtype {
            case .float32: entries[name] = .float32(try file.tensor(named: name))
            case .int64: entries[name] = .int64(shape: info.shape, values: try file.integers(named: name))
            case .uint8:
                entries[name] = .uint8(shape: info.shape, values: try file.integers(named: name).map { UInt8($0) })
            default: Issue.record("unexpected dtype \(info.dtype) in \(relativePath)")
            }
        }
        let rewritten = try SafetensorsWriter.encode(entries, metadata: file.metadata)
        #expect(rewritten == Array(try Data(contentsOf: url)))
    }

    @Test func writtenFilesRoundTripEveryEntryKind() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("round.safetensors")
        let weight = Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, -0.0, Float(bitPattern: 0x0001_16C2)])  // a subnormal (≈ 1e-40)
        let entries: [String: SafetensorsEntry] = [
            "w": .float32(weight), "scalar": .float32(Tensor(shape: [], scalars: [7])),
            "empty": .float32(Tensor(shape: [0, 4], scalars: [])),
            "ids": .int64(shape: [3], values: [Int.min, 0, Int.max]),
            "small": .int32(shape: [2], values: [Int32.min, 42]), "pixels": .uint8(shape: [1, 3], values: [0, 128, 255]),
        ]
        try SafetensorsWriter.write(entries, metadata: ["format": "pt", "note": "é \"quoted\"\n"], to: url)
        let file = try SafetensorsFile.load(from: url)
        #expect(file.metadata == ["format": "pt", "note": "é \"quoted\"\n"])
        #expect(try file.tensor(named: "w").scalars.map(\.bitPattern) == weight.scalars.map(\.bitPattern))
        #expect(try file.tensor(named: "scalar").shape == [])
        #expect(try file.tensor(named: "empty").shape == [0, 4])
        #expect(try file.integers(named: "ids") == [Int.min, 0, Int.max])
        #expect(try file.integers(named: "small") == [Int(Int32.min), 42])
        #expect(try file.integers(named: "pixels") == [0, 128, 255])
        // Layout: descending dtype, then name; header padded to 8 bytes; no temporary file left behind.
        #expect(file.names == ["ids", "empty", "scalar", "w", "small", "pixels"])
        let bytes = try Data(contentsOf: url)
        #expect(Int(bytes[0]) % 8 == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["round.safetensors"])
    }

    @Test func writerRejectsAShapeThatDisagreesWithTheValues() {
        #expect(throws: SafetensorsError.self) {
            try SafetensorsWriter.encode(["x": .int64(shape: [2, 2], values: [1, 2, 3])])
        }
        #expect(throws: SafetensorsError.self) {
            try SafetensorsWriter.encode(["__metadata__": .int64(shape: [1], values: [1])])
        }
    }

    @Test func float16ConversionIsExactForEveryBitPattern() {
        for bits in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = HalfPrecision.float16Table[Int(bits)]
            if expected.isNaN {
                #expect(actual.isNaN && actual.sign == expected.sign)
                #expect(actual.bitPattern & 0x007F_E000 == UInt32(bits & 0x03FF) << 13)
            } else if actual.bitPattern != expected.bitPattern {
                Issue.record("F16 \(String(bits, radix: 16)): \(actual) != \(expected)")
            }
        }
        #expect(HalfPrecision.float16Table[0x0001] == 0x1p-24)  // smallest subnormal
        #expect(HalfPrecision.float16Table[0x7C00] == .infinity)
        #expect(HalfPrecision.float16Table[0x8000].bitPattern == (-0.0 as Float).bitPattern)
    }

    @Test func readsF16BF16AndF64Tensors() throws {
        let values: [Float] = [1.5, -2, 0.000061035156, 65504]
        let f16 = values.flatMap { littleEndianBytes(Float16($0).bitPattern) }
        let bf16 = values.flatMap { littleEndianBytes(UInt16($0.bitPattern >> 16)) }
        let f64 = values.flatMap { littleEndianBytes(Double($0).bitPattern) }
        let bytes = handWritten([("a", "F16", [4], f16), ("b", "BF16", [2, 2], bf16), ("c", "F64", [4], f64)])
        let file = try SafetensorsFile(bytes: bytes)
        #expect(try file.tensor(named: "a").scalars == values)
        #expect(try file.tensor(named: "b").scalars == values.map { Float(bitPattern: $0.bitPattern & 0xFFFF_0000) })
        #expect(try file.tensor(named: "c").scalars == values)
        #expect(throws: SafetensorsError.self) { try file.integers(named: "a") }
        #expect(throws: SafetensorsError.self) { try file.tensor(named: "missing") }
    }
}

/// Builds safetensors bytes from explicit header entries (name, dtype, shape, data) with contiguous offsets.
func handWritten(_ entries: [(String, String, [Int], [UInt8])], rawHeader: String? = nil) -> [UInt8] {
    var offset = 0
    var fields: [String] = []
    var data: [UInt8] = []
    for (name, dtype, shape, bytes) in entries {
        let shapeText = shape.map(String.init).joined(separator: ",")
        fields.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shapeText)],"
                      + "\"data_offsets\":[\(offset),\(offset + bytes.count)]}")
        offset += bytes.count
        data += bytes
    }
    let header = Array((rawHeader ?? "{" + fields.joined(separator: ",") + "}").utf8)
    return littleEndianBytes(UInt64(header.count)) + header + data
}

/// The little-endian bytes of an integer.
func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// A fresh empty directory under the system temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("mlan-io-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
