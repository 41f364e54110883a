extension JSONValue {
    /// The value as JSON text with object keys sorted (byte order), compact or indented by two spaces.
    ///
    /// Strings are escaped the way `serde_json` and Python's `json` (with `ensure_ascii=False`) escape them:
    /// quote, backslash and control characters only. Doubles use the shortest text that reads back exactly.
    /// - Throws: `JSONError.nonFiniteNumber` for a NaN or infinite `.double`.
    public func jsonString(pretty: Bool = false) throws(JSONError) -> String {
        var output = ""
        try write(into: &output, pretty: pretty, indent: 0)
        return output
    }

    /// The value as UTF-8 JSON bytes (see `jsonString(pretty:)`).
    /// - Throws: `JSONError.nonFiniteNumber` for a NaN or infinite `.double`.
    public func jsonBytes(pretty: Bool = false) throws(JSONError) -> [UInt8] {
        Array(try jsonString(pretty: pretty).utf8)
    }

    /// Appends `string` as a quoted, escaped JSON string literal to `output`.
    public static func appendQuoted(_ string: String, to output: inout String) {
        output.append("\"")
        var pending = string.unicodeScalars.startIndex
        let scalars = string.unicodeScalars
        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                output.unicodeScalars.append(contentsOf: scalars[pending..<index])
                output.append(escape)
                pending = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        output.unicodeScalars.append(contentsOf: scalars[pending..<scalars.endIndex])
        output.append("\"")
    }

    private func write(into output: inout String, pretty: Bool, indent: Int) throws(JSONError) {
        switch self {
        case .null: output.append("null")
        case .bool(let value): output.append(value ? "true" : "false")
        case .int(let value): output.append(String(value))
        case .double(let value):
            guard value.isFinite else { throw .nonFiniteNumber(value) }
            output.append(value.description)
        case .string(let value): JSONValue.appendQuoted(value, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else { output.append("[]"); return }
            output.append("[")
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(",") }
                if pretty { newline(&output, indent: indent + 1) }
                try element.write(into: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&output, indent: indent) }
            output.append("]")
        case .object(let members):
            guard !members.isEmpty else { output.append("{}"); return }
            output.append("{")
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (position, key) in keys.enumerated() {
                if position > 0 { output.append(",") }
                if pretty { newline(&output, indent: indent + 1) }
                JSONValue.appendQuoted(key, to: &output)
                output.append(pretty ? ": " : ":")
                try members[key, default: .null].write(into: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&output, indent: indent) }
            output.append("}")
        }
    }

    private func newline(_ output: inout String, indent: Int) {
        output.append("\n")
        output.append(String(repeating: "  ", count: indent))
    }
}
