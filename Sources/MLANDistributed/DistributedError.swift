/// Why a job of several processes could not start.
public enum DistributedError: Error, CustomStringConvertible {
    /// The process was launched as rank of an MPI job (the variables name it) but libmpi could not be loaded.
    case libraryUnavailable(variable: String, reason: String)
    /// MPI started but the job's shape disagrees with the launcher's (or a rank's) view of it.
    case inconsistentJob(String)

    public var description: String {
        switch self {
        case .libraryUnavailable(let variable, let reason):
            return "This process was started by an MPI launcher (\(variable) is set) but MPI could not be loaded: \(reason). "
                + "Install Open MPI (Debian: apt-get install libopenmpi-dev openmpi-bin) or set MLAN_MPI_LIBRARY to "
                + "the path of libmpi.so."
        case .inconsistentJob(let reason):
            return "Inconsistent MPI job: \(reason)"
        }
    }
}
