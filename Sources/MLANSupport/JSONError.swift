/// Why JSON text could not be parsed, or a `JSONValue` could not be written as JSON.
public enum JSONError: Error, CustomStringConvertible, Equatable {
    /// The text breaks the JSON grammar at byte `offset`.
    case syntax(offset: Int, message: String)
    /// Arrays and objects nest deeper than `limit` at byte `offset`.
    case nestingTooDeep(offset: Int, limit: Int)
    /// An object repeats `key` (at byte `offset`).
    case duplicateKey(String, offset: Int)
    /// A number literal at byte `offset` is outside `Double`'s finite range.
    case numberOutOfRange(String, offset: Int)
    /// A `.double` is NaN or infinite, which JSON cannot represent.
    case nonFiniteNumber(Double)

    public var description: String {
        switch self {
        case .syntax(let offset, let message):
            return "invalid JSON at byte \(offset): \(message)"
        case .nestingTooDeep(let offset, let limit):
            return "invalid JSON at byte \(offset): arrays and objects nest deeper than \(limit) levels"
        case .duplicateKey(let key, let offset):
            return "invalid JSON at byte \(offset): object repeats the key \"\(key)\""
        case .numberOutOfRange(let literal, let offset):
            return "invalid JSON at byte \(offset): number \(literal) is out of range"
        case .nonFiniteNumber(let value):
            return "cannot write \(value) as JSON: JSON numbers must be finite"
        }
    }
}
