import Foundation
import MLANCore
import MLANDistributed

/// Sums the trainable parameters' gradients over a `DataParallel` job's shards, in buckets: a bucket's
/// collective starts as soon as its last gradient is reported ready (during backward, newest layers first), and
/// `finish` waits for the rest, sums gathered shards in shard order where the reduction is fixed-order, and
/// writes the sums back into the parameters' `grad`.
///
/// With several shards per rank (fixed order), `snapshot` keeps each finished shard's gradients and all of them
/// are gathered at once in `finish`.
final class GradientExchange {
    private let parameters: [Tensor]
    private let parallel: DataParallel
    /// Parameter indices per bucket, newest parameters first; offsets of each parameter within its bucket.
    private let buckets: [[Int]]
    private let bucketOf: [Int], offsetIn: [Int], bucketSize: [Int]
    private var readyCount: [Int]
    /// Bucket buffers (allocated here: MPI reads and writes them while backward goes on): the local gradients
    /// (then their sum) and, for fixed order, the gathered shards `[ranks × bucket]`.
    private let local: [UnsafeMutableBufferPointer<Float>], gathered: [UnsafeMutableBufferPointer<Float>]
    private var requests: [CollectiveRequest?]
    /// Buckets start in bucket order on every rank (MPI matches collectives by order): the next one to start.
    private var nextBucket = 0
    /// Earlier shards' gradients on this rank (fixed order, several shards per rank), flattened per shard.
    private var snapshots: [[Float]] = []
    /// Whether each parameter had a gradient on this rank's shards.
    private var hadGradient: [Bool]
    /// Seconds spent blocked in `finish` waiting for collectives.
    private(set) var waitSeconds = 0.0

    init(parameters: [Tensor], parallel: DataParallel) {
        self.parameters = parameters
        self.parallel = parallel
        var buckets: [[Int]] = [[]]
        var bytes = 0
        for i in parameters.indices.reversed() {
            if parallel.bucketBytes > 0 && bytes > 0 && bytes + parameters[i].count * 4 > parallel.bucketBytes { buckets.append([]); bytes = 0 }
            buckets[buckets.count - 1].append(i)
            bytes += parameters[i].count * 4
        }
        self.buckets = buckets
        var bucketOf = [Int](repeating: 0, count: parameters.count), offsetIn = bucketOf
        var sizes: [Int] = []
        for (b, members) in buckets.enumerated() {
            var offset = 0
            for i in members { (bucketOf[i], offsetIn[i]) = (b, offset); offset += parameters[i].count }
            sizes.append(offset)
        }
        (self.bucketOf, self.offsetIn, bucketSize) = (bucketOf, offsetIn, sizes)
        readyCount = Array(repeating: 0, count: buckets.count)
        local = sizes.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: $0) }
        let fixed = if case .fixedOrder = parallel.reduction { true } else { false }
        gathered = sizes.map { .allocate(capacity: fixed && parallel.ownShards.count == 1 ? $0 * parallel.communicator.size : 0) }
        requests = Array(repeating: nil, count: buckets.count)
        hadGradient = Array(repeating: false, count: parameters.count)
    }

    deinit {
        for case let request? in requests { request.wait() }
        for buffer in local + gathered { buffer.deallocate() }
    }

    /// Clears the previous step's state (the buffers are reused).
    func reset() {
        readyCount = Array(repeating: 0, count: buckets.count)
        requests = Array(repeating: nil, count: buckets.count)
        nextBucket = 0
        snapshots = []
        hadGradient = Array(repeating: false, count: parameters.count)
        waitSeconds = 0
    }

    /// Whether buckets start during backward: one shard per rank, so a shard's final gradients are the rank's.
    var overlaps: Bool { parallel.ownShards.count == 1 }

    /// Parameter `index`'s gradient on this rank is final: packs it, and starts the buckets now complete, in
    /// bucket order (ranks whose shards reach other parameters, e.g. no image, complete them in other orders).
    func ready(_ index: Int) {
        let b = bucketOf[index]
        pack(index, into: b)
        readyCount[b] += 1
        while nextBucket < buckets.count && readyCount[nextBucket] == buckets[nextBucket].count {
            start(nextBucket)
            nextBucket += 1
        }
        for case let request? in requests { _ = request.test() }  // MPI progresses only inside MPI calls
    }

    /// Keeps the current gradients as one finished shard and clears them (fixed order, several shards per rank).
    func snapshot() {
        for i in parameters.indices { pack(i, into: bucketOf[i]) }
        snapshots.append(local.flatMap { Array($0) })
        for p in parameters { p.zeroGrad() }
    }

    /// Completes the exchange (packing and starting whatever backward did not report) and stores the summed
    /// gradients in the parameters; a parameter gets one only if some shard produced one.
    /// `extras` (e.g. each shard's loss) are summed the same way and returned.
    func finish(extras: [Float]) -> [Float] {
        let shards = parallel.ownShards.count
        let waitStart = Date()
        var flags: [Float]
        var summedExtras: [Float]
        if !overlaps {
            // Fixed order with several shards per rank: gather every shard's flat gradients at once.
            if snapshots.count < shards { snapshot() }
            flags = hadGradient.map { $0 ? 1 : 0 }
            let all = parallel.communicator.allGather(snapshots.flatMap { $0 })
            let width = bucketSize.reduce(0, +)
            var total = Array(all[0..<width])
            for s in 1..<(all.count / max(width, 1)) { Self.add(all[s * width..<(s + 1) * width], into: &total) }
            var offset = 0
            for b in buckets.indices {
                _ = local[b].initialize(from: total[offset..<offset + bucketSize[b]])
                offset += bucketSize[b]
            }
            summedExtras = sumInOrder(extras, width: extras.count / shards)
            flags = sumInOrder(flags, width: flags.count)
        } else {
            for b in nextBucket..<buckets.count {
                for i in buckets[b] { pack(i, into: b) }
                start(b)
            }
            nextBucket = buckets.count
            flags = hadGradient.map { $0 ? 1 : 0 }
            for case let request? in requests { request.wait() }
            if case .fixedOrder = parallel.reduction {
                for b in buckets.indices {
                    let n = bucketSize[b]
                    var total = Array(gathered[b][0..<n])
                    for r in 1..<parallel.communicator.size { Self.add(gathered[b][r * n..<(r + 1) * n], into: &total) }
                    _ = local[b].initialize(from: total)
                }
                summedExtras = sumInOrder(extras, width: extras.count)
                flags = sumInOrder(flags, width: flags.count)
            } else {
                var small = extras + flags
                parallel.communicator.allReduceSum(&small)
                summedExtras = Array(small[0..<extras.count])
                flags = Array(small[extras.count...])
            }
        }
        waitSeconds += Date().timeIntervalSince(waitStart)
        for (i, p) in parameters.enumerated() {
            let b = bucketOf[i], o = offsetIn[i]
            p.setGrad(flags[i] > 0 ? Tensor(shape: p.shape, scalars: Array(local[b][o..<o + p.count])) : nil)
        }
        return summedExtras
    }

    /// Gathers `values` (`width` per shard, this rank's shards in order) and sums them in shard order.
    private func sumInOrder(_ values: [Float], width: Int) -> [Float] {
        let all = parallel.communicator.allGather(values)
        guard width > 0 else { return [] }
        var total = Array(all[0..<width])
        for s in 1..<(all.count / width) { Self.add(all[s * width..<(s + 1) * width], into: &total) }
        return total
    }

    private func pack(_ index: Int, into b: Int) {
        let o = offsetIn[index], n = parameters[index].count
        if let grad = parameters[index].grad {
            hadGradient[index] = true
            grad.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(rebasing: local[b][o..<o + n]).initialize(from: $0) }
        } else {
            for k in o..<o + n { local[b][k] = 0 }
        }
    }

    private func start(_ b: Int) {
        let communicator = parallel.communicator
        if case .fixedOrder = parallel.reduction {
            requests[b] = communicator.startAllGather(UnsafeBufferPointer(local[b]), into: gathered[b])
        } else {
            requests[b] = communicator.startAllReduceSum(local[b])
        }
    }

    /// `total[k] += part[k]`, element by element (the fixed order's one addition per shard).
    private static func add<Part: Collection<Float>>(_ part: Part, into total: inout [Float]) {
        total.withUnsafeMutableBufferPointer { t in for (k, x) in zip(t.indices, part) { t[k] += x } }
    }

    private static func add(_ part: ArraySlice<Float>, into total: inout [Float]) {
        part.withUnsafeBufferPointer { p in
            total.withUnsafeMutableBufferPointer { t in for k in 0..<t.count { t[k] += p[k] } }
        }
    }
}
