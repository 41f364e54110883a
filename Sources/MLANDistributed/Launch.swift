import Foundation

/// How this process was started: alone, or as one rank of an MPI job.
public enum Launch {
    /// Environment variables an MPI launcher sets for every rank (Open MPI's mpirun, PMIx, Slurm's srun with PMI).
    static let rankVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"]

    /// The variable naming this process an MPI rank, if any (`OMPI_COMM_WORLD_SIZE=1` counts too: `mpirun -np 1`).
    public static var launcherVariable: String? {
        let environment = ProcessInfo.processInfo.environment
        return rankVariables.first { environment[$0] != nil }
    }

    /// The job this process belongs to: `MPICommunicator.world` when an MPI launcher started it, else a
    /// `SingleProcess`. MPI is initialised on the first call (once per process).
    /// - Throws: `DistributedError.libraryUnavailable` when launched under MPI but libmpi cannot be loaded.
    public static func communicator() throws -> any Communicator {
        guard let variable = launcherVariable else { return SingleProcess() }
        return try MPICommunicator.world(launchedBy: variable)
    }
}
