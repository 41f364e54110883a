/// Reads protobuf wire format: a sequence of (field number, wire type, value) records.
struct ProtoReader {
    /// One field: its number and its value (a varint, fixed 32/64 bits, or length-delimited bytes).
    struct Field {
        var number: Int
        var varint: UInt64?
        var fixed32: UInt32?
        var payload: ArraySlice<UInt8>?
        let file: String
        let message: String

        /// The length-delimited payload.
        /// - Throws: `TokenizerError.invalidField` when the field has another wire type.
        func bytes() throws -> ArraySlice<UInt8> {
            guard let payload else {
                throw TokenizerError.invalidField(file: file, field: "\(message) field \(number)",
                                                  reason: "expected a length-delimited value")
            }
            return payload
        }
    }

    /// The last value of each field number in a message (repeated fields other than the pieces are not needed).
    struct Fields {
        private var values: [Int: Field] = [:]

        init() {}

        /// Reads every field of `bytes`.
        /// - Throws: `TokenizerError.invalidField` naming `message` for malformed wire data.
        init(_ bytes: ArraySlice<UInt8>, file: String, message: String) throws {
            var reader = ProtoReader(bytes: bytes, file: file, message: message)
            while let field = try reader.next() { values[field.number] = field }
        }

        func varint(_ number: Int) -> UInt64? { values[number]?.varint }
        func fixed32(_ number: Int) -> UInt32? { values[number]?.fixed32 }
        func bytesField(_ number: Int) -> ArraySlice<UInt8>? { values[number]?.payload }

        /// A UTF-8 string field.
        /// - Throws: `TokenizerError.invalidField` when it is not valid UTF-8.
        func string(_ number: Int) throws -> String? {
            guard let field = values[number], let payload = field.payload else { return nil }
            guard let text = String(validating: payload, as: UTF8.self) else {
                throw TokenizerError.invalidField(file: field.file, field: "\(field.message) field \(number)",
                                                  reason: "not valid UTF-8")
            }
            return text
        }
    }

    var bytes: ArraySlice<UInt8>
    let file: String
    let message: String

    /// The next field, or nil at the end.
    /// - Throws: `TokenizerError.invalidField` for a truncated value or an unknown wire type.
    mutating func next() throws -> Field? {
        guard !bytes.isEmpty else { return nil }
        let key = try readVarint()
        var field = Field(number: Int(key >> 3), file: file, message: message)
        switch key & 7 {
        case 0: field.varint = try readVarint()
        case 1: field.payload = try take(8, field.number)
        case 2:
            let length = try readVarint()
            guard length <= UInt64(bytes.count) else { throw malformed(field.number, "length \(length) runs past the end") }
            field.payload = try take(Int(length), field.number)
        case 5:
            let raw = try take(4, field.number)
            field.fixed32 = raw.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        default:
            throw malformed(field.number, "unsupported wire type \(key & 7)")
        }
        return field
    }

    private mutating func readVarint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard let byte = bytes.popFirst() else { throw malformed(nil, "a varint runs past the end") }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw malformed(nil, "a varint is longer than 10 bytes")
    }

    private mutating func take(_ count: Int, _ number: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.count else { throw malformed(number, "\(count) bytes run past the end") }
        defer { bytes = bytes.dropFirst(count) }
        return bytes.prefix(count)
    }

    private func malformed(_ number: Int?, _ reason: String) -> TokenizerError {
        TokenizerError.invalidField(file: file, field: number.map { "\(message) field \($0)" } ?? message,
                                    reason: "malformed protobuf: \(reason)")
    }
}
