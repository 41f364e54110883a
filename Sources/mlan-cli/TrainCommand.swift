import ArgumentParser
import Foundation
import MLANDistributed
import MLANTrain

/// `mlan train --config FILE`: run one stage of the recipe (resumes from the newest checkpoint in its output);
/// FLOPs count a frozen vision tower forward only (`StageRunner` passes `ComputeProfile(llava)`).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Run one recipe stage (pretrain, align, instruct) from a JSON config.",
        discussion: "See Docs/RECIPE.md and Configs/ for the format. Under `mpirun -np N` the stage trains "
            + "data-parallel over the N processes; see Docs/SCALING.md.")
    @Option(help: "The stage config JSON.") var config: String
    @Option(help: ArgumentHelp("Gradient sum across processes: all-reduce (fastest) or fixed-order (bit-identical for "
                               + "any process count dividing --shards, one process included)."))
    var reduction = ReductionMode.allReduce
    @Option(help: "Shards per global batch for --reduction fixed-order (default: the process count).") var shards: Int?
    @Option(help: "KiB of gradients per bucket reduced while backward runs (0: one reduction after backward).")
    var bucketKib = 4096

    enum ReductionMode: String, ExpressibleByArgument, CaseIterable {
        case allReduce = "all-reduce", fixedOrder = "fixed-order"
    }

    func validate() throws {
        if shards != nil && reduction != .fixedOrder { throw ValidationError("--shards needs --reduction fixed-order.") }
        if bucketKib < 0 { throw ValidationError("--bucket-kib must be 0 or more.") }
    }

    func run() throws {
        var runner = StageRunner(try StageConfig.load(from: URL(fileURLWithPath: config)))
        let world = try Launch.communicator()
        var parallel = try DataParallel(communicator: world, reduction: reduction == .allReduce
            ? .allReduce : .fixedOrder(shards: shards ?? world.size))
        parallel.bucketBytes = bucketKib << 10
        runner.parallel = parallel
        let result = try runner.run()
        guard parallel.isWriter else { return }
        let e = result.efficiency
        print(String(format: "Done: %d steps, final loss %.4f, %d examples, %d text + %d image tokens, %.3g FLOPs, %.1f s",
                     e.optimizerSteps, result.finalLoss, e.examples, e.textTokens, e.imageTokens, e.flops, e.seconds))
    }
}
