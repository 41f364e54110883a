import Foundation
import Testing
@testable import MLANData

/// Inputs `make fuzz` found that trapped, kept as regression tests (see Docs/RELIABILITY.md).
@Suite struct FuzzFindingTests {
    /// libFuzzer's `jpeg` target, crash-59b6ed74: a marker segment whose length field is 0 (less than the two bytes
    /// it counts itself) made the EXIF scan build a range whose upper bound lies below its lower bound.
    static let zeroLengthSegmentJPEG = Data(base64Encoded: [
        "/9j///////////////////////////////////////////////////////////////////////////////////////8BAAAAAAAB",
        "RP/////////////////////////////////////////gABBKRklGAAEBAAABAAEAAP/bAEMAUDc8RjwyUEZBRlpVUF94yIJ4bm54",
        "9a+5kcj////////////////////////////////////////////////////bAEMBVVpaeGl464KC6///////////////////////",
        "///////////////////////////////////////////////////AABEIADUAQAMBIgACEQEDEQH/xAAYAAEBAQEBAAAAAAAAAAAA",
        "AAABAgADBP/EABcQAQEBAQAAAAAAAAAAAAAAAAABERL/xAAYAQEBAQEBAAAAAAAAAAAAAAACAQMEAP/EABsRAQEBAAMBAQAAAAAA",
        "AAAAAAEAERIhMUEC/9oADAMBAAIRAxEAPwDzSNhxUjTeXVBpkOKxpE35MYkOKxpEXj1MYwyKkbEXjMbnh36d8mN//9k=",
    ].joined())!

    @Test func jpegWithAZeroLengthSegmentDecodesWithoutReadingEXIF() throws {
        let bytes = [UInt8](Self.zeroLengthSegmentJPEG)
        let stored = try ImageDecoder.decodeJPEG(bytes, name: "fuzz.jpg")
        #expect(try ImageDecoder.decodeJPEG(bytes, name: "fuzz.jpg", orientation: .exifApplied) == stored)
    }

    @Test(arguments: [0, 1])
    func segmentLengthBelowTwoEndsTheEXIFScan(length: Int) {
        let app1: [UInt8] = [0xFF, 0xE1, 0x00, UInt8(length)] + Array("Exif\0\0".utf8) + [0x49, 0x49, 0x2A, 0x00]
        #expect(EXIFOrientation.value(in: [0xFF, 0xD8] + app1 + [0xFF, 0xD9]) == nil)
    }
}
