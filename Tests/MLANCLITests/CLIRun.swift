import Foundation
import Testing

/// What a run of the built `mlan` printed and returned.
struct CLIRun {
    let status: Int32, stdout: String, stderr: String

    /// `mlan` in the build folder this test binary was built in (`--build-tests` builds it).
    static func executable() throws -> URL {
        let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let mlan = folder.appendingPathComponent("mlan")
        try #require(FileManager.default.isExecutableFile(atPath: mlan.path), "no mlan executable at \(mlan.path)")
        return mlan
    }

    /// Runs `mlan arguments` with standard input empty, capturing both output streams.
    static func mlan(_ arguments: [String]) throws -> CLIRun {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-cli-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return CLIRun(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                      stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
