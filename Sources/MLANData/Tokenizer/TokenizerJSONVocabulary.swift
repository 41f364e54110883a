/// Reads `model.vocab` of a `tokenizer.json` straight from its bytes, keeping each token's exact characters.
///
/// `JSONDecoder` and `JSONValue` key objects by `String`, whose equality is canonical equivalence, so tokens such
/// as `"é"` (U+00E9) and `"é"` (U+0065 U+0301), which SentencePiece vocabularies hold as different pieces, collapse
/// into one. This scanner finds the first `"vocab": {` and parses its `"token": id` members itself.
struct TokenizerJSONVocabulary {
    /// The tokens' UTF-8 bytes and ids, in file order.
    let entries: [(token: [UInt8], id: Int)]

    /// Scans `bytes`.
    /// - Throws: `TokenizerError` naming `file` and `model.vocab` when it is missing or malformed.
    init(_ bytes: [UInt8], file: String) throws {
        var scanner = Scanner(bytes: bytes, file: file)
        try scanner.seekVocabulary()
        var entries: [(token: [UInt8], id: Int)] = []
        scanner.skipSpace()
        if scanner.peek() == UInt8(ascii: "}") { self.entries = []; return }
        while true {
            scanner.skipSpace()
            let token = try scanner.string()
            scanner.skipSpace()
            try scanner.expect(UInt8(ascii: ":"))
            scanner.skipSpace()
            entries.append((token, try scanner.integer()))
            scanner.skipSpace()
            if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
            try scanner.expect(UInt8(ascii: "}"))
            break
        }
        self.entries = entries
    }

    private struct Scanner {
        let bytes: [UInt8]
        let file: String
        var index = 0

        init(bytes: [UInt8], file: String) {
            self.bytes = bytes
            self.file = file
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        func failure(_ reason: String) -> TokenizerError {
            TokenizerError.invalidField(file: file, field: "model.vocab", reason: "\(reason) at byte \(index)")
        }

        mutating func skipSpace() {
            while let byte = peek(), [0x20, 0x09, 0x0A, 0x0D].contains(byte) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            guard peek() == byte else { throw failure("expected `\(Character(Unicode.Scalar(byte)))`") }
            index += 1
        }

        /// Moves past the `{` that opens the first `"vocab"` key's object.
        mutating func seekVocabulary() throws {
            let key = Array("\"vocab\"".utf8)
            while index + key.count <= bytes.count {
                if bytes[index] == key[0], Array(bytes[index..<(index + key.count)]) == key {
                    index += key.count
                    skipSpace()
                    guard peek() == UInt8(ascii: ":") else { continue }
                    index += 1
                    skipSpace()
                    guard peek() == UInt8(ascii: "{") else { continue }
                    index += 1
                    return
                }
                index += 1
            }
            throw TokenizerError.missingField(file: file, field: "model.vocab")
        }

        mutating func integer() throws -> Int {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            while let byte = peek(), byte >= 0x30 && byte <= 0x39 { index += 1 }
            guard let value = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
                throw failure("expected an integer id")
            }
            return value
        }

        /// A JSON string literal's UTF-8 bytes, escapes resolved.
        mutating func string() throws -> [UInt8] {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while let byte = peek() {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return out
                case UInt8(ascii: "\\"):
                    guard let escape = peek() else { throw failure("unterminated escape") }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        var value = try hex4()
                        if (0xD800..<0xDC00).contains(value), peek() == UInt8(ascii: "\\") {
                            index += 2  // "\u" of the low surrogate
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(value) else { throw failure("invalid \\u escape") }
                        out += Array(String(scalar).utf8)
                    default: out.append(escape)  // \" \\ \/
                    }
                default:
                    out.append(byte)
                }
            }
            throw failure("unterminated string")
        }

        private mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
            else { throw failure("invalid \\u escape") }
            index += 4
            return value
        }
    }
}
