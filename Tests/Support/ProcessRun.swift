import Foundation

/// What a child process printed and returned, for tests that run the built `mlan`.
public struct ProcessRun: Sendable {
    public let status: Int32, stdout: String, stderr: String

    /// The executable `name` in the build folder the running test binary was built in (`--build-tests` builds the
    /// package's executables there too); nil when it is not there.
    public static func builtExecutable(_ name: String) -> URL? {
        let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let url = folder.appendingPathComponent(name)
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    /// Runs `executable` with `arguments` (standard input empty) in `directory`, with `environment` changes applied
    /// to this process's environment (a nil value removes the variable), capturing both output streams.
    public static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                           environment changes: [String: String?] = [:]) throws -> ProcessRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-process-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return ProcessRun(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                          stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
