import Foundation

/// Prints `message` to standard error and exits with status 1: how an example reports a failed check.
public func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("FAILED: " + message + "\n").utf8))
    exit(1)
}

/// The command-line arguments after the program name, read as `--name value` pairs.
public struct Arguments {
    private var values: [String: String] = [:]

    /// Parses `CommandLine.arguments`; exits with a usage message on a stray or unpaired argument.
    public init(usage: String) {
        var rest = CommandLine.arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard flag.hasPrefix("--"), let value = rest.popFirst() else { fail("\(flag)?\nusage: \(usage)") }
            values[String(flag.dropFirst(2))] = value
        }
    }

    /// The value of `--name`, or `fallback`.
    public func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }

    /// The value of `--name` if given.
    public func optional(_ name: String) -> String? { values[name] }

    /// The integer value of `--name`, or `fallback`; exits when it is not an integer.
    public func int(_ name: String, _ fallback: Int) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text) else { fail("--\(name) \(text) is not an integer") }
        return value
    }
}
