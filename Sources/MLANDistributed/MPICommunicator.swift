import CMPI
import Foundation

/// `MPI_COMM_WORLD` of Open MPI's libmpi, loaded at run time (`MLAN_MPI_LIBRARY`, else `libmpi.so.40`, else
/// `libmpi.so`): nothing links MPI, so only processes that mpirun starts need it installed. MPI is initialised
/// once per process (funnelled: call from one thread) and finalised at exit.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    nonisolated(unsafe) private static var shared: Result<MPICommunicator, DistributedError>?
    private static let lock = NSLock()

    /// The world communicator, initialising MPI on first use; `variable` names the launcher's variable for errors.
    /// - Throws: `DistributedError.libraryUnavailable` when libmpi cannot be loaded or initialised.
    static func world(launchedBy variable: String) throws -> MPICommunicator {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return try shared.get() }
        let result = Result<MPICommunicator, DistributedError> { () throws(DistributedError) -> MPICommunicator in
            var message = [CChar](repeating: 0, count: 1024)
            let path = ProcessInfo.processInfo.environment["MLAN_MPI_LIBRARY"]
            guard cmpi_load(path, &message, message.count) == 0 else {
                throw DistributedError.libraryUnavailable(variable: variable, reason: text(message))
            }
            var provided: Int32 = 0
            let code = cmpi_init(&provided)
            guard code == 0 else {
                throw DistributedError.libraryUnavailable(variable: variable, reason: "MPI_Init_thread failed: \(errorString(code))")
            }
            var rank: Int32 = 0, size: Int32 = 0
            check(cmpi_rank(&rank), "MPI_Comm_rank")
            check(cmpi_size(&size), "MPI_Comm_size")
            return MPICommunicator(rank: Int(rank), size: Int(size))
        }
        shared = result
        return try result.get()
    }

    public func allReduceSum(_ values: inout [Float]) {
        let count = Self.int32(values.count)
        values.withUnsafeMutableBufferPointer { Self.check(cmpi_allreduce_float_sum($0.baseAddress, count), "MPI_Allreduce") }
    }

    public func allReduceSum(_ values: inout [Double]) {
        let count = Self.int32(values.count)
        values.withUnsafeMutableBufferPointer { Self.check(cmpi_allreduce_double_sum($0.baseAddress, count), "MPI_Allreduce") }
    }

    public func allGather(_ values: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count * size)
        let count = Self.int32(values.count)
        values.withUnsafeBufferPointer { send in
            out.withUnsafeMutableBufferPointer { Self.check(cmpi_allgather_float(send.baseAddress, count, $0.baseAddress), "MPI_Allgather") }
        }
        return out
    }

    public func allGather(bytes: [UInt8]) -> [[UInt8]] {
        var counts = [Int32](repeating: 0, count: size)
        Self.check(cmpi_allgather_int(Self.int32(bytes.count), &counts), "MPI_Allgather")
        var displacements = [Int32](repeating: 0, count: size)
        var total = 0
        for r in 0..<size {
            displacements[r] = Self.int32(total)
            total += Int(counts[r])
        }
        var all = [UInt8](repeating: 0, count: total)
        bytes.withUnsafeBytes { send in
            all.withUnsafeMutableBytes { receive in
                Self.check(cmpi_allgatherv_bytes(send.baseAddress, Self.int32(bytes.count), receive.baseAddress, counts,
                                                 displacements), "MPI_Allgatherv")
            }
        }
        return (0..<size).map { r in Array(all[Int(displacements[r])..<Int(displacements[r]) + Int(counts[r])]) }
    }

    public func broadcast(_ bytes: inout [UInt8], root: Int) {
        let count = Self.int32(bytes.count)
        bytes.withUnsafeMutableBytes { Self.check(cmpi_bcast_bytes($0.baseAddress, count, Int32(root)), "MPI_Bcast") }
    }

    public func barrier() { Self.check(cmpi_barrier(), "MPI_Barrier") }

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> CollectiveRequest {
        let request = Request()
        Self.check(cmpi_iallreduce_float_sum(buffer.baseAddress, Self.int32(buffer.count), &request.handle), "MPI_Iallreduce")
        return request
    }

    public func startAllGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>)
        -> CollectiveRequest {
        precondition(receive.count == send.count * size, "allGather receives \(receive.count) floats for \(send.count) × \(size)")
        let request = Request()
        Self.check(cmpi_iallgather_float(send.baseAddress, Self.int32(send.count), receive.baseAddress, &request.handle),
                   "MPI_Iallgather")
        return request
    }

    /// An MPI_Request; MPI resets the handle to MPI_REQUEST_NULL when it completes.
    private final class Request: CollectiveRequest {
        var handle: UnsafeMutableRawPointer?
        private var done = false

        func test() -> Bool {
            if done { return true }
            var flag: Int32 = 0
            MPICommunicator.check(cmpi_test(&handle, &flag), "MPI_Test")
            done = flag != 0
            return done
        }

        func wait() {
            if done { return }
            MPICommunicator.check(cmpi_wait(&handle), "MPI_Wait")
            done = true
        }
    }

    /// MPI's default handler aborts the job on a communication error; a code that still comes back is a bug.
    static func check(_ code: Int32, _ call: String) {
        precondition(code == 0, "\(call) failed: \(errorString(code))")
    }

    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        cmpi_error_string(code, &buffer)
        return text(buffer)
    }

    /// A NUL-terminated C string in a buffer.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// MPI counts are 32-bit.
    static func int32(_ count: Int) -> Int32 {
        precondition(count <= Int(Int32.max), "\(count) elements exceed one MPI call's 32-bit count")
        return Int32(count)
    }
}
