import MLANDistributed

/// How a `Trainer` spreads each global batch over the processes of a job (see Docs/SCALING.md).
///
/// A global batch's micro-batches are cut into `shardCount` contiguous, balanced shards in order; rank `r` of
/// `N` computes the gradients of shards `r·S/N ..< (r+1)·S/N`, each micro-batch's loss weighted by its share
/// of the whole global batch's supervised targets. The shards' gradients are summed across ranks, and every
/// rank then clips and takes the same AdamW step. Every rank needs the same examples and config.
///
/// ```swift
/// let parallel = try DataParallel(communicator: Launch.communicator(), reduction: .fixedOrder(shards: 4))
/// let trainer = try Trainer(model: model, config: config, examples: examples, collator: collator,
///                           runDirectory: parallel.isWriter ? run : nil, parallel: parallel)
/// ```
public struct DataParallel {
    /// How gradients are summed across shards.
    public enum Reduction: Sendable, Equatable {
        /// One shard per rank, summed by MPI_Allreduce in the order MPI picks: the fastest, equal to one process
        /// to float rounding (about 1e-6 relative).
        case allReduce
        /// `shards` shards (a multiple of the ranks), gathered in shard order and summed in that order on every
        /// rank: the same bits for any number of ranks dividing `shards`, one process included.
        case fixedOrder(shards: Int)
    }

    /// The job.
    public let communicator: any Communicator
    /// How gradients are summed.
    public let reduction: Reduction
    /// Gradient bytes per bucket: a bucket's reduction starts as soon as backward has finished its gradients,
    /// while backward goes on with earlier layers (0: one reduction after backward).
    public var bucketBytes = 4 << 20

    /// Data parallelism over `communicator`'s processes.
    /// - Throws: `TrainError.invalidConfig` when `fixedOrder`'s shard count is not a positive multiple of the ranks.
    public init(communicator: any Communicator, reduction: Reduction = .allReduce) throws {
        if case .fixedOrder(let shards) = reduction, shards < 1 || shards % communicator.size != 0 {
            throw TrainError.invalidConfig(field: "shards", reason: "\(shards) shards do not divide among "
                                           + "\(communicator.size) processes (use a positive multiple)")
        }
        self.init(checked: communicator, reduction: reduction)
    }

    private init(checked communicator: any Communicator, reduction: Reduction) {
        self.communicator = communicator
        self.reduction = reduction
    }

    /// Data parallelism over the job this process was started in (`Launch.communicator()`: MPI under mpirun,
    /// else one process).
    /// - Throws: `DistributedError` when started by mpirun without a loadable libmpi; as `init`.
    public static func launched(reduction: Reduction = .allReduce) throws -> DataParallel {
        try DataParallel(communicator: Launch.communicator(), reduction: reduction)
    }

    /// One process, one shard: the plain trainer.
    public static var single: DataParallel { DataParallel(checked: SingleProcess(), reduction: .allReduce) }

    /// Shards each global batch is cut into.
    public var shardCount: Int {
        if case .fixedOrder(let shards) = reduction { return shards }
        return communicator.size
    }

    /// Whether this rank writes the run's files (logs, checkpoints, manifests): rank 0.
    public var isWriter: Bool { communicator.rank == 0 }

    /// True for one process computing one shard: nothing to exchange.
    var isTrivial: Bool { communicator.size == 1 && shardCount == 1 }

    /// The shards this rank computes.
    var ownShards: Range<Int> {
        let perRank = shardCount / communicator.size
        return communicator.rank * perRank..<(communicator.rank + 1) * perRank
    }

    /// Shard `shard`'s micro-batches among `count`: contiguous and balanced (sizes differ by at most one).
    func microBatches(ofShard shard: Int, count: Int) -> Range<Int> {
        count * shard / shardCount..<count * (shard + 1) / shardCount
    }
}
