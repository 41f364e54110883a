import ArgumentParser
import Foundation
import MLANTestSupport
import Testing
@testable import mlan_cli

/// The CLI's help text is part of its interface: changes show up here first.
@Suite struct HelpSnapshotTests {
    static let snapshots = SharedPaths.repositoryRoot.appendingPathComponent("Tests/MLANCLITests/Snapshots")

    @Test(arguments: [("mlan", [String]()), ("demo", ["demo"]), ("train", ["train"]), ("eval", ["eval"]),
                      ("generate", ["generate"]), ("cost", ["cost"]), ("experiment", ["experiment"])])
    func helpMatchesTheSnapshot(name: String, path: [String]) throws {
        let help = MLAN.helpMessage(for: try Self.command(path), columns: 100)
        let file = Self.snapshots.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["MLAN_UPDATE_SNAPSHOTS"] != nil {
            try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
            try Data((help + "\n").utf8).write(to: file, options: .atomic)
            Issue.record("wrote \(file.path); run again without MLAN_UPDATE_SNAPSHOTS to compare")
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(help + "\n" == expected, "mlan \(path.joined(separator: " ")) --help changed; update Tests/MLANCLITests/Snapshots/\(name).txt")
    }

    @Test func invalidFlagsFailValidation() {
        #expect(throws: (any Error).self) { try GenerateCommand.parse(["--model", "m.gguf", "--prompt", "x", "--ids", "1"]) }
        #expect(throws: (any Error).self) { try GenerateCommand.parse(["--model", "m.gguf", "--ids", "1,x"]) }
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--model", "m.gguf"]) }
    }

    static func command(_ path: [String]) throws -> ParsableCommand.Type {
        guard let name = path.first else { return MLAN.self }
        guard let sub = MLAN.configuration.subcommands.first(where: { $0.configuration.commandName == name }) else {
            throw ValidationError("no subcommand \(name)")
        }
        return sub
    }
}
