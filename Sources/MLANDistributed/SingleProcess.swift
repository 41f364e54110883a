/// The job of one process: every collective operation leaves its input as it is (gathers return it alone).
public final class SingleProcess: Communicator {
    /// A one-process communicator.
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: inout [Float]) {}
    public func allReduceSum(_ values: inout [Double]) {}
    public func allGather(_ values: [Float]) -> [Float] { values }
    public func allGather(bytes: [UInt8]) -> [[UInt8]] { [bytes] }
    public func broadcast(_ bytes: inout [UInt8], root: Int) {
        precondition(root == 0, "broadcast root \(root) outside a job of one process")
    }
    public func barrier() {}

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> CollectiveRequest { Completed() }

    public func startAllGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>)
        -> CollectiveRequest {
        precondition(receive.count == send.count, "allGather receives \(receive.count) floats for \(send.count) sent")
        _ = receive.initialize(from: send)
        return Completed()
    }

    /// A request that completed when it was made.
    private final class Completed: CollectiveRequest {
        func test() -> Bool { true }
        func wait() {}
    }
}
