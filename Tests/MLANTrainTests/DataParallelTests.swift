import Foundation
import MLANCore
import MLANData
import MLANDistributed
import MLANModel
import MLANTestSupport
import Testing
@testable import MLANTrain

/// Data-parallel training: the shards of a global batch, fixed-order reduction in one process, and `mlan train`
/// under `mpirun -np 2` against one process (bit for bit with fixed order, to 1e-6 with all-reduce, resume on
/// another process count).
@Suite(.serialized) struct DataParallelTests {
    @Test func shardsCutMicroBatchesContiguouslyAndBalanced() throws {
        let parallel = try DataParallel(communicator: SingleProcess(), reduction: .fixedOrder(shards: 3))
        #expect((0..<3).map { parallel.microBatches(ofShard: $0, count: 7) } == [0..<2, 2..<4, 4..<7])
        #expect((0..<3).map { parallel.microBatches(ofShard: $0, count: 2) } == [0..<0, 0..<1, 1..<2])
        #expect(parallel.ownShards == 0..<3)
        #expect(throws: TrainError.self) { try DataParallel(communicator: SingleProcess(), reduction: .fixedOrder(shards: 0)) }
    }

    /// The `Communicator` usage example, in a process no launcher started (a job of one).
    @Test func communicatorUsageExample() throws {
        let world = try Launch.communicator()
        var gradient: [Float] = [1, 2]
        world.allReduceSum(&gradient)
        var values: [Float] = [3, 4]
        values.withUnsafeMutableBufferPointer { buffer in
            let request = world.startAllReduceSum(buffer)
            request.wait()
            #expect(request.test())
        }
        #expect(world.rank == 0 && world.size == 1 && gradient == [1, 2] && values == [3, 4])
        #expect(world.allGather(bytes: [7]) == [[7]])
    }

    /// Two steps of the tiny Llama on four examples (four micro-batches per step), plainly and with `parallel`.
    static func train(_ parallel: DataParallel) throws -> (weights: [String: [Float]], losses: [Float]) {
        var rng = SplitMix64(seed: 11)
        let model = LlamaForCausalLM(.tiny, rng: &rng)
        let examples = (0..<8).map { i in
            let ids = (0..<(5 + i)).map { ($0 * 7 + i * 3) % 60 + 1 }
            return Example(id: "e\(i)", tokens: TokenizedExample(ids: ids, isTarget: ids.indices.map { $0 >= 2 }))
        }
        var config = TrainConfig()
        (config.globalBatchSize, config.microBatchSize, config.learningRate) = (4, 1, 1e-2)
        (config.groupByModalityLength, config.logEvery, config.warmupRatio) = (false, 0, 0)
        let trainer = try Trainer(model: model, config: config, examples: examples, collator: Collator(padID: 0),
                                  runDirectory: nil, parallel: parallel)
        trainer.log.printsProgress = false
        var losses: [Float] = []
        try trainer.run { if case .step(let s, _) = $0 { losses.append(s.loss) } }
        return (Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor.scalars) }), losses)
    }

    @Test func fixedOrderShardsInOneProcessStayWithinRoundingOfThePlainTrainer() throws {
        let plain = try Self.train(.single)
        var parallel = try DataParallel(communicator: SingleProcess(), reduction: .fixedOrder(shards: 2))
        let sharded = try Self.train(parallel)
        parallel.bucketBytes = 0
        #expect(try Self.train(parallel).weights == sharded.weights, "bucketing changes no bits")
        #expect(plain.losses.count == 2 && zip(plain.losses, sharded.losses).allSatisfy { abs($0 - $1) <= 1e-6 * abs($0) })
        for (name, a) in plain.weights {
            let b = try #require(sharded.weights[name])
            #expect(Self.relativeDifference(a, b) <= 1e-5, "\(name)")
        }
    }

    /// `max |a − b| / max |a|` over a tensor.
    static func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let scale = a.map(abs).max() ?? 0
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / max(scale, .leastNormalMagnitude) } ?? 0
    }

    @Test func aRankWhoseMPILibraryCannotLoadStopsWithAClearError() throws {
        let tiny = try TinyLlavaStage()
        defer { tiny.remove() }
        let run = try MPIRun.runAlone(try Self.mlan(), ["train", "--config", try Self.stageConfig(tiny, "out").path],
                                      environment: ["OMPI_COMM_WORLD_SIZE": "2", "MLAN_MPI_LIBRARY": "/nonexistent/libmpi.so"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("started by an MPI launcher (OMPI_COMM_WORLD_SIZE is set)")
                && run.stderr.contains("/nonexistent/libmpi.so") && run.stderr.contains("apt-get install"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tiny.root.appendingPathComponent("out/checkpoints").path))
    }

    // MARK: mpirun

    /// The tiny LLaVA's instruct stage for three steps (one epoch of two micro-batches each), checkpointing
    /// every step, into `name`.
    static func stageConfig(_ tiny: TinyLlavaStage, _ name: String) throws -> URL {
        var config = try tiny.config("instruct")
        config.output = tiny.root.appendingPathComponent(name).path
        (config.train.epochs, config.train.checkpointEvery, config.train.keepCheckpoints, config.train.logEvery) = (3, 1, 5, 1)
        let url = tiny.root.appendingPathComponent("\(name).json")
        try JSONEncoder().encode(config).write(to: url)
        return url
    }

    static func weightsFile(_ tiny: TinyLlavaStage, _ name: String) -> URL {
        tiny.root.appendingPathComponent(name).appendingPathComponent("model/model.safetensors")
    }

    static func weights(_ tiny: TinyLlavaStage, _ name: String) throws -> Data { try Data(contentsOf: weightsFile(tiny, name)) }

    static func mlan() throws -> URL {
        try #require(ProcessRun.builtExecutable("mlan"), "build with --build-tests, which builds mlan")
    }

    @Test(.enabled(if: MPIRun.enabled, Comment(rawValue: MPIRun.skipReason)))
    func twoRanksWithFixedOrderGiveOneProcessesWeightsBitForBit() throws {
        let tiny = try TinyLlavaStage()
        defer { tiny.remove() }
        let alone = try MPIRun.runAlone(try Self.mlan(), ["train", "--config", try Self.stageConfig(tiny, "alone").path,
                                                           "--reduction", "fixed-order", "--shards", "2"])
        #expect(alone.status == 0, "\(alone.stderr)")
        let ranks = try MPIRun.run(ranks: 2, try Self.mlan(), ["train", "--config", try Self.stageConfig(tiny, "ranks").path,
                                                                "--reduction", "fixed-order", "--bucket-kib", "8"])
        #expect(ranks.status == 0, "\(ranks.stderr)")
        #expect(try Self.weights(tiny, "alone") == Self.weights(tiny, "ranks"))
        #expect(ranks.stdout.components(separatedBy: "Done:").count == 2, "rank 0 alone reports: \(ranks.stdout)")
        let logs = try ["alone", "ranks"].map {
            try String(contentsOf: tiny.root.appendingPathComponent("\($0)/train_log.jsonl"), encoding: .utf8)
        }
        #expect(logs[0].split(separator: "\n").count == 3)
        #expect(logs[0].replacingOccurrences(of: #""elapsed_s":[^,]*,"#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: #""tokens_per_s":[^}]*"#, with: "", options: .regularExpression)
                == logs[1].replacingOccurrences(of: #""elapsed_s":[^,]*,"#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: #""tokens_per_s":[^}]*"#, with: "", options: .regularExpression))

        // Resume on another process count: drop the last checkpoint of the two-rank run and finish it alone.
        let output = tiny.root.appendingPathComponent("ranks")
        try FileManager.default.removeItem(at: output.appendingPathComponent("checkpoints/step-000003"))
        try FileManager.default.removeItem(at: output.appendingPathComponent("model"))
        let resumed = try MPIRun.runAlone(try Self.mlan(), ["train", "--config", try Self.stageConfig(tiny, "ranks").path,
                                                             "--reduction", "fixed-order", "--shards", "2"])
        #expect(resumed.status == 0 && resumed.stderr.contains("Resumed from"), "\(resumed.stderr)")
        #expect(try Self.weights(tiny, "alone") == Self.weights(tiny, "ranks"))
    }

    /// Four conversations (two with images) in one global batch of four micro-batches: each of two ranks sums
    /// two, so all-reduce groups the sum otherwise than one process's running sum (not the same bits).
    static func fourExampleConfig(_ tiny: TinyLlavaStage, _ name: String) throws -> URL {
        let url = try stageConfig(tiny, name)
        let records = try JSONSerialization.jsonObject(with: Data(TinyLlavaStage.conversations.utf8)) as! [[String: Any]]
        let data = tiny.root.appendingPathComponent("four.json")
        try JSONSerialization.data(withJSONObject: records + records.map { r in
            var copy = r
            copy["id"] = "\(r["id"]!)-again"
            return copy
        }).write(to: data)
        var config = try StageConfig.load(from: url)
        config.data = [.init(file: data.path, dataset: "tiny", taskCluster: "colour")]
        config.train.globalBatchSize = 4
        try JSONEncoder().encode(config).write(to: url)
        return url
    }

    @Test(.enabled(if: MPIRun.enabled, Comment(rawValue: MPIRun.skipReason)))
    func twoRanksWithAllReduceStayWithinOneMillionthOfOneProcess() throws {
        let tiny = try TinyLlavaStage()
        defer { tiny.remove() }
        let alone = try MPIRun.runAlone(try Self.mlan(), ["train", "--config", try Self.fourExampleConfig(tiny, "alone").path])
        #expect(alone.status == 0, "\(alone.stderr)")
        let ranks = try MPIRun.run(ranks: 2, try Self.mlan(), ["train", "--config", try Self.fourExampleConfig(tiny, "ranks").path,
                                                                "--bucket-kib", "0"])
        #expect(ranks.status == 0, "\(ranks.stderr)")
        let a = try SafetensorsFile.load(from: Self.weightsFile(tiny, "alone")).tensors()
        let b = try SafetensorsFile.load(from: Self.weightsFile(tiny, "ranks")).tensors()
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, x) in a {
            let y = try #require(b[name])
            #expect(Self.relativeDifference(x.scalars, y.scalars) <= 1e-6, "\(name)")
        }
    }
}
