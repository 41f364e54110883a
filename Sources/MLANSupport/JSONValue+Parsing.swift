extension JSONValue {
    /// The deepest nesting of arrays and objects `parse` accepts (guards the stack against hostile input).
    public static let maximumNestingDepth = 256

    /// Parses UTF-8 JSON text (RFC 8259): one value, optionally surrounded by whitespace.
    ///
    /// Integer literals that fit `Int` become `.int`; other numbers become `.double`. Objects with a repeated key
    /// are rejected rather than silently keeping one value.
    /// - Throws: `JSONError` naming the byte offset and what is wrong.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let contiguous = Array(bytes)
        return try contiguous.withUnsafeBytes { buffer in
            Result { () throws(JSONError) in try parse(buffer) }
        }.get()
    }

    /// Parses UTF-8 JSON text held in `buffer` (see `parse(_:)`).
    /// - Throws: `JSONError` naming the byte offset and what is wrong.
    public static func parse(_ buffer: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: buffer)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == buffer.count else {
            throw .syntax(offset: parser.offset, message: "unexpected content after the JSON value")
        }
        return value
    }

    /// Parses JSON text (see `parse(_:)`).
    /// - Throws: `JSONError` naming the byte offset and what is wrong.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// A recursive-descent JSON parser over raw bytes with bounds checks on every read.
private struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private var atEnd: Bool { offset >= bytes.count }
    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { offset += 1 }
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard let byte = current else { throw .syntax(offset: offset, message: "unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw .syntax(offset: offset, message: "unexpected character \(describe(byte))")
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONError) {
        let start = offset
        for expected in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard current == expected else { throw .syntax(offset: start, message: "invalid literal, expected \(word)") }
            offset += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= JSONValue.maximumNestingDepth else {
            throw .nestingTooDeep(offset: offset, limit: JSONValue.maximumNestingDepth)
        }
        offset += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { offset += 1; return .object(members) }
        while true {
            skipWhitespace()
            let keyOffset = offset
            guard current == UInt8(ascii: "\"") else {
                throw .syntax(offset: offset, message: "expected a string key in object")
            }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw .syntax(offset: offset, message: "expected ':' after key") }
            offset += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            guard members.updateValue(value, forKey: key) == nil else { throw .duplicateKey(key, offset: keyOffset) }
            skipWhitespace()
            guard let next = current else { throw .syntax(offset: offset, message: "unterminated object") }
            offset += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else {
                throw .syntax(offset: offset - 1, message: "expected ',' or '}' in object, found \(describe(next))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= JSONValue.maximumNestingDepth else {
            throw .nestingTooDeep(offset: offset, limit: JSONValue.maximumNestingDepth)
        }
        offset += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { offset += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let next = current else { throw .syntax(offset: offset, message: "unterminated array") }
            offset += 1
            if next == UInt8(ascii: "]") { return .array(elements) }
            guard next == UInt8(ascii: ",") else {
                throw .syntax(offset: offset - 1, message: "expected ',' or ']' in array, found \(describe(next))")
            }
        }
    }

    private mutating func parseString() throws(JSONError) -> String {
        let start = offset
        offset += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw .syntax(offset: start, message: "unterminated string") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw .syntax(offset: start, message: "string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw .syntax(offset: offset - 1, message: "unescaped control character \(describe(byte)) in string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONError) {
        guard let escaped = current else { throw .syntax(offset: offset, message: "unterminated escape") }
        offset += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let escapeOffset = offset - 2
            var scalar = UInt32(try parseHex4())
            if (0xD800..<0xDC00).contains(scalar) {
                guard current == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u")
                else { throw .syntax(offset: escapeOffset, message: "high surrogate without a low surrogate") }
                offset += 2
                let low = UInt32(try parseHex4())
                guard (0xDC00..<0xE000).contains(low) else {
                    throw .syntax(offset: escapeOffset, message: "high surrogate followed by a non-low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw .syntax(offset: escapeOffset, message: "lone low surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw .syntax(offset: escapeOffset, message: "invalid Unicode escape")
            }
            utf8.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw .syntax(offset: offset - 2, message: "invalid escape \\\(describe(escaped))")
        }
    }

    private mutating func parseHex4() throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw .syntax(offset: offset, message: "truncated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .syntax(offset: offset, message: "invalid hex digit \(describe(byte)) in \\u escape")
            }
            value = value << 4 | UInt16(digit)
            offset += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = offset
        var isInteger = true
        if current == UInt8(ascii: "-") { offset += 1 }
        guard let first = current, isDigit(first) else {
            throw .syntax(offset: offset, message: "expected a digit in number")
        }
        if first == UInt8(ascii: "0") {
            offset += 1
            if let next = current, isDigit(next) {
                throw .syntax(offset: offset, message: "leading zeros are not allowed in numbers")
            }
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            guard let digit = current, isDigit(digit) else {
                throw .syntax(offset: offset, message: "expected a digit after '.'")
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            guard let digit = current, isDigit(digit) else {
                throw .syntax(offset: offset, message: "expected a digit in exponent")
            }
            skipDigits()
        }
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        if isInteger, let value = Int(literal) { return .int(value) }
        guard let value = Double(literal), value.isFinite else { throw .numberOutOfRange(literal, offset: start) }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { offset += 1 }
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}
