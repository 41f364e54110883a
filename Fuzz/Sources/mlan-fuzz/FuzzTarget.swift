import Foundation

/// One parser under fuzzing: a name, what it does with each input, and the setup and built-in seeds it needs.
struct FuzzTarget: Sendable {
    /// The name `MLAN_FUZZ_TARGET` selects, e.g. `safetensors`.
    let name: String
    /// Parses `bytes` and uses whatever it accepts; a thrown error is the expected outcome for bad input.
    let body: @Sendable ([UInt8]) -> Void
    /// Seeds made in code (e.g. a checkpoint sidecar, which needs the tensor files beside it).
    var seeds: @Sendable () -> [String: [UInt8]] = { [:] }
    /// One-time setup before the first input.
    var setup: @Sendable () -> Void = {}

    func prepare() { setup() }

    func run(_ bytes: [UInt8]) { body(bytes) }

    /// Writes the built-in seeds into `directory` (created if needed).
    func writeSeeds(_ directory: URL) {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, bytes) in seeds() {
            try? Data(bytes).write(to: directory.appendingPathComponent(name))
        }
    }
}

/// A private folder per process for targets whose parser reads a file or a directory.
enum Scratch {
    static let root: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("mlan-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        return url
    }()

    /// Writes `bytes` to `name` inside the scratch folder and returns its URL.
    static func file(_ name: String, _ bytes: [UInt8]) -> URL {
        let url = root.appendingPathComponent(name)
        try? Data(bytes).write(to: url)
        return url
    }
}
