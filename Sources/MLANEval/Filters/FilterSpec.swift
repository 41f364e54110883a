import MLANCore

/// A filter step as written in a task definition (lm-eval's `filter_list` shape): a function name from
/// ``FilterFunctions`` and its arguments, e.g. `{"function": "regex", "regex_pattern": "…", "group_select": 0,
/// "fallback": "[invalid]"}` or `{"function": "first_clause"}`.
public struct FilterStepSpec: Sendable, Equatable {
    /// The function's name (a key of ``FilterFunctions/table``).
    public var function: String
    /// Its arguments, as written (every key but `function`).
    public var arguments: [String: JSONValue]

    /// A step calling `function` with `arguments`; ``makeFilter()`` checks both.
    public init(function: String, arguments: [String: JSONValue] = [:]) {
        self.function = function
        self.arguments = arguments
    }

    /// ``RegexExtract``.
    public static func regex(pattern: String, groupSelect: Int = 0, group: Int? = nil,
                             fallback: String = "[invalid]") -> FilterStepSpec {
        var arguments: [String: JSONValue] = ["regex_pattern": .string(pattern), "group_select": .int(groupSelect),
                                              "fallback": .string(fallback)]
        if let group { arguments["group"] = .int(group) }
        return FilterStepSpec(function: "regex", arguments: arguments)
    }
    /// ``FirstClause``.
    public static let firstClause = FilterStepSpec(function: "first_clause")
    /// ``FirstLine``.
    public static let firstLine = FilterStepSpec(function: "first_line")
    /// ``Strip``.
    public static let strip = FilterStepSpec(function: "strip")
    /// ``Lowercase``.
    public static let lowercase = FilterStepSpec(function: "lowercase")
    /// ``RemovePunctuation``.
    public static let removePunctuation = FilterStepSpec(function: "remove_punctuation")
    /// ``MapToOptionLetter``.
    public static let mapLetter = FilterStepSpec(function: "map_letter")
    /// ``YesNoNormalizer``.
    public static let yesNo = FilterStepSpec(function: "yes_no")
    /// ``TakeFirst``.
    public static let takeFirst = FilterStepSpec(function: "take_first")

    /// The filter this spec describes; `source` and `field` locate the step in error messages.
    /// - Throws: `EvalError.invalidTaskDefinition` for an unknown function or a missing, mistyped or unknown
    ///   argument; `EvalError.invalidRegex` for a regex that does not compile.
    public func makeFilter(source: String = "filter", field: String = "filter") throws -> any ResponseFilter {
        guard let entry = FilterFunctions.table[function] else {
            throw EvalError.invalidTaskDefinition(
                source: source, field: "\(field).function",
                reason: "unknown filter \"\(function)\" (\(FilterFunctions.table.keys.sorted().joined(separator: ", ")))")
        }
        let arguments = FilterArguments(values: arguments, source: source, field: field)
        for key in self.arguments.keys.sorted() where !entry.arguments.contains(key) {
            throw arguments.fail(key, "is not an argument of \(function)"
                + (entry.arguments.isEmpty ? " (it takes none)" : " (\(entry.arguments.sorted().joined(separator: ", ")))"))
        }
        return try entry.make(arguments)
    }

    /// The spec as JSON, in the task-definition shape.
    public var json: JSONValue {
        .object(arguments.merging(["function": .string(function)]) { _, name in name })
    }

    /// Reads a step from its JSON form and checks it (see ``makeFilter(source:field:)``); `source` and
    /// `field` locate it in error messages.
    /// - Throws: `EvalError.invalidTaskDefinition` for a step that is not an object with a known `function`
    ///   and valid arguments; `EvalError.invalidRegex` for a regex that does not compile.
    public init(json: JSONValue, source: String, field: String) throws {
        guard var members = json.objectValue, let function = members["function"]?.stringValue else {
            throw EvalError.invalidTaskDefinition(source: source, field: field, reason: "needs a \"function\" string")
        }
        members["function"] = nil
        self.init(function: function, arguments: members)
        _ = try makeFilter(source: source, field: field)
    }
}

/// A named filter pipeline as written in a task definition: `{"name": "…", "filter": [steps]}`.
public struct FilterPipelineSpec: Sendable, Equatable {
    /// The pipeline's name (the `filter` half of `"metric,filter"` keys).
    public var name: String
    /// Its steps.
    public var steps: [FilterStepSpec]

    /// A pipeline spec.
    public init(name: String, steps: [FilterStepSpec]) {
        self.name = name
        self.steps = steps
    }

    /// The runnable pipeline.
    /// - Throws: as ``FilterStepSpec/makeFilter(source:field:)``.
    public func makePipeline() throws -> FilterPipeline {
        FilterPipeline(name: name, steps: try steps.enumerated().map { index, step in
            try step.makeFilter(source: name, field: "filter.\(index)")
        })
    }

    /// The spec as JSON.
    public var json: JSONValue {
        ["name": .string(name), "filter": .array(steps.map(\.json))]
    }
}
