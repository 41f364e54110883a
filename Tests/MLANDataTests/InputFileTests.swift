import Foundation
import MLANData
import Testing

/// Input files fail with what is wrong in words, not Foundation's error dumps.
@Suite struct InputFileTests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-input-file-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func missingFolderAndEmptyFilesAreNamedWithTheirProblem() throws {
        let empty = folder.appendingPathComponent("empty.txt")
        FileManager.default.createFile(atPath: empty.path, contents: Data())
        #expect(throws: InputFileError.missing(path: folder.path + "/nope")) { try InputFile.check(folder.appendingPathComponent("nope")) }
        #expect(throws: InputFileError.isDirectory(path: folder.path)) { try InputFile.check(folder) }
        #expect(throws: InputFileError.empty(path: empty.path)) { try InputFile.read(empty) }
        #expect(try InputFile.read(empty, allowEmpty: true).isEmpty)
    }

    @Test func foundationAndDecodingErrorsBecomeShortReasons() throws {
        do { _ = try Data(contentsOf: folder.appendingPathComponent("nope")) } catch {
            #expect(InputFile.reason(for: error) == "No such file or directory")
        }
        struct Config: Decodable { var size: Int }
        do { _ = try JSONDecoder().decode(Config.self, from: Data("{\"size\": \"big\"}".utf8)) } catch {
            #expect(InputFile.reason(for: error) == "size: expected Int")
        }
        do { _ = try JSONDecoder().decode(Config.self, from: Data("{}".utf8)) } catch {
            #expect(InputFile.reason(for: error) == "size: required, missing")
        }
        do { _ = try JSONDecoder().decode(Config.self, from: Data("{".utf8)) } catch {
            #expect(InputFile.reason(for: error) == "not valid JSON")
        }
    }

    @Test func aDatasetThatIsNeitherJSONNorJSONLinesIsRefusedAtItsFirstByte() throws {
        let png = folder.appendingPathComponent("image.json")
        FileManager.default.createFile(atPath: png.path, contents: Data([0x89, 0x50, 0x4E, 0x47]))
        #expect { try InstructionDataset.load(from: png) } throws: { "\($0)".contains("byte 0x89") && "\($0)".contains(png.path) }
        let blank = folder.appendingPathComponent("blank.jsonl")
        FileManager.default.createFile(atPath: blank.path, contents: Data("\n  \n".utf8))
        #expect { try InstructionDataset.load(from: blank) } throws: { "\($0)".contains("white space") }
    }
}
