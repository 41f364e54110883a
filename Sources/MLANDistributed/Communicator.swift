/// The collective operations data-parallel training and sharded evaluation need, among the `size` processes
/// of one job; this process is `rank` (0-based). Every process must make the same calls in the same order.
///
/// `SingleProcess` is the job of one; `MPICommunicator` is a job `mpirun` (or Slurm's `srun`) started.
/// `Launch.communicator()` picks the one this process was started as.
///
/// ```swift
/// let world = try Launch.communicator()
/// var gradient: [Float] = [1, 2]
/// world.allReduceSum(&gradient)                 // every rank now holds the sum over ranks
/// let request = world.startAllReduceSum(buffer) // or start it, compute, then wait
/// request.wait()
/// if world.rank == 0 { print("summed over \(world.size) processes") }
/// ```
public protocol Communicator: AnyObject {
    /// This process's index in the job, `0..<size`.
    var rank: Int { get }
    /// Processes in the job.
    var size: Int { get }
    /// Replaces `values` on every rank by their elementwise sum over ranks (in an order MPI chooses).
    func allReduceSum(_ values: inout [Float])
    /// Replaces `values` on every rank by their elementwise sum over ranks (in an order MPI chooses).
    func allReduceSum(_ values: inout [Double])
    /// Every rank's `values` (the same count on every rank), concatenated in rank order, on every rank.
    func allGather(_ values: [Float]) -> [Float]
    /// Every rank's bytes (any count per rank), in rank order, on every rank.
    func allGather(bytes: [UInt8]) -> [[UInt8]]
    /// Rank `root`'s bytes on every rank (`bytes` must have the same count everywhere).
    func broadcast(_ bytes: inout [UInt8], root: Int)
    /// Returns when every rank has called it.
    func barrier()
    /// Starts an in-place elementwise sum over ranks of `buffer`, which must stay valid and untouched until the
    /// returned request completes.
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> CollectiveRequest
    /// Starts gathering every rank's `send` (same count everywhere) into `receive` (`size` times as long, in
    /// rank order); both must stay valid until the request completes.
    func startAllGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>)
        -> CollectiveRequest
}

/// A started non-blocking collective operation.
public protocol CollectiveRequest: AnyObject {
    /// Lets the operation progress and tells whether it has completed (MPI moves non-blocking collectives
    /// forward only inside MPI calls, so callers poll this while they compute).
    func test() -> Bool
    /// Blocks until the operation has completed.
    func wait()
}
