import Foundation

/// Typed access to a tokenizer file's `JSONValue`s, whose failures name the file and the field path.
struct TokenizerJSONFields {
    let file: String

    func object(_ value: JSONValue?, _ field: @autoclosure () -> String) throws -> [String: JSONValue] {
        guard case .object(let members) = try present(value, field()) else { throw invalid(field(), "expected an object") }
        return members
    }

    func array(_ value: JSONValue?, _ field: @autoclosure () -> String) throws -> [JSONValue] {
        guard case .array(let items) = try present(value, field()) else { throw invalid(field(), "expected an array") }
        return items
    }

    func string(_ value: JSONValue?, _ field: @autoclosure () -> String) throws -> String {
        guard case .string(let string) = try present(value, field()) else { throw invalid(field(), "expected a string") }
        return string
    }

    func int(_ value: JSONValue?, _ field: @autoclosure () -> String) throws -> Int {
        guard let int = try present(value, field()).intValue else {
            throw invalid(field(), "expected an integer")
        }
        return int
    }

    /// A boolean, or `defaultValue` when the field is absent or null.
    func bool(_ value: JSONValue?, _ field: @autoclosure () -> String, default defaultValue: Bool) throws -> Bool {
        guard let value, !value.isNull else { return defaultValue }
        guard case .bool(let bool) = value else { throw invalid(field(), "expected true or false") }
        return bool
    }

    /// A string, or nil when absent or null.
    func optionalString(_ value: JSONValue?, _ field: @autoclosure () -> String) throws -> String? {
        guard let value, !value.isNull else { return nil }
        return try string(value, field())
    }

    /// The members of a `Sequence` component (`{"type": "Sequence", key: [...]}`), each parsed by `parse` with
    /// its field path (`pre_tokenizer.pretokenizers[2]`), concatenated in order.
    func sequence<Step>(_ object: [String: JSONValue], key: String, field: String,
                        _ parse: (JSONValue, String) throws -> [Step]) throws -> [Step] {
        try array(object[key], "\(field).\(key)").enumerated().flatMap { index, member in
            try parse(member, "\(field).\(key)[\(index)]")
        }
    }

    func invalid(_ field: String, _ reason: String) -> TokenizerError {
        .invalidField(file: file, field: field, reason: reason)
    }

    private func present(_ value: JSONValue?, _ field: String) throws -> JSONValue {
        guard let value, !value.isNull else { throw TokenizerError.missingField(file: file, field: field) }
        return value
    }
}
