import Foundation

/// Open MPI's `mpirun` for tests that start the built `mlan` as several ranks on this machine.
///
/// The tests run when `mpirun` is on the PATH, and always under CI (`CI=true`, where `make test` installs Open
/// MPI first, so a missing `mpirun` fails them instead of skipping them).
public enum MPIRun {
    /// `mpirun` on the PATH, if any.
    public static let executable: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Whether MPI tests run: mpirun is installed, or this is CI.
    public static let enabled = executable != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Why MPI tests are skipped.
    public static let skipReason = "mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev, or make setup-mpi) to run the MPI tests"

    /// Runs `mlan arguments` as `ranks` processes on loopback, one thread each (`MLAN_THREADS=1`), with
    /// `environment` exported to every rank.
    public static func run(ranks: Int, _ mlan: URL, _ arguments: [String], environment: [String: String] = [:],
                           in directory: URL? = nil) throws -> ProcessRun {
        guard let mpirun = executable else { throw MPIRunError.missing }
        var exported = ["MLAN_THREADS": "1"]
        for (key, value) in environment { exported[key] = value }
        let flags = ["--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "-np", "\(ranks)"]
            + exported.keys.sorted().flatMap { ["-x", $0] }
        return try ProcessRun.run(mpirun, flags + [mlan.path] + arguments, in: directory,
                                  environment: exported.mapValues { Optional($0) })
    }

    /// Runs `mlan arguments` alone (no MPI), one thread.
    public static func runAlone(_ mlan: URL, _ arguments: [String], environment: [String: String] = [:],
                                in directory: URL? = nil) throws -> ProcessRun {
        var changes: [String: String?] = ["MLAN_THREADS": "1"]
        for (key, value) in environment { changes[key] = value }
        return try ProcessRun.run(mlan, arguments, in: directory, environment: changes)
    }
}

/// Why an MPI test could not start.
public enum MPIRunError: Error, CustomStringConvertible {
    case missing
    public var description: String {
        "mpirun not found on the PATH although CI=true: `make test` installs Open MPI (openmpi-bin) first"
    }
}
