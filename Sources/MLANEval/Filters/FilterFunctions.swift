import MLANCore

/// The filter functions a task file can name, each with the arguments it takes and its constructor: the one
/// table behind ``FilterStepSpec``.
public enum FilterFunctions {
    /// One function: its argument names and how to build the filter.
    struct Entry: Sendable {
        let arguments: Set<String>
        let make: @Sendable (FilterArguments) throws -> any ResponseFilter
    }

    /// Every function by name.
    static let table: [String: Entry] = [
        "regex": Entry(arguments: ["regex_pattern", "group_select", "group", "fallback"]) { arguments in
            try RegexExtract(pattern: try arguments.requiredString("regex_pattern"),
                             groupSelect: try arguments.int("group_select") ?? 0, group: try arguments.int("group"),
                             fallback: try arguments.string("fallback") ?? "[invalid]")
        },
        "first_clause": Entry(arguments: []) { _ in FirstClause() },
        "first_line": Entry(arguments: []) { _ in FirstLine() },
        "strip": Entry(arguments: []) { _ in Strip() },
        "lowercase": Entry(arguments: []) { _ in Lowercase() },
        "remove_punctuation": Entry(arguments: []) { _ in RemovePunctuation() },
        "map_letter": Entry(arguments: []) { _ in MapToOptionLetter() },
        "yes_no": Entry(arguments: []) { _ in YesNoNormalizer() },
        "take_first": Entry(arguments: []) { _ in TakeFirst() },
    ]

    /// The names a task file may use, sorted.
    public static var names: [String] { table.keys.sorted() }
}

/// A filter step's arguments with typed access; errors name the definition and the argument.
struct FilterArguments {
    let values: [String: JSONValue]
    let source: String
    let field: String

    func fail(_ key: String, _ reason: String) -> EvalError {
        EvalError.invalidTaskDefinition(source: source, field: "\(field).\(key)", reason: reason)
    }

    func string(_ key: String) throws -> String? {
        guard let value = values[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw fail(key, "expected a string, found \(value.kindName)") }
        return text
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else { throw fail(key, "is required") }
        return text
    }

    func int(_ key: String) throws -> Int? {
        guard let value = values[key], !value.isNull else { return nil }
        guard let number = value.intValue else { throw fail(key, "expected an integer, found \(value.kindName)") }
        return number
    }
}
