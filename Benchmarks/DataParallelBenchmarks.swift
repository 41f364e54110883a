import Foundation
import MLANCore
import MLANData
import MLANDistributed
import MLANModel
import MLANTrain

/// `mlan-bench dp:micro` / `dp:SmolLM2`: stage-2 steps of the language-only mixture (text examples, the LLM
/// training) through `Trainer.step`, data-parallel over the MPI job that started the process (one process
/// without mpirun). Rank 0 prints one line: `dp NAME RANKS THREADS BUCKET_KIB step_ms … | wait_ms …`, where
/// wait is the time after backward spent completing the gradients' exchange. `Scripts/bench-mpi.sh` drives
/// it: np=2 × 1 thread against np=1 × 2 threads, alternating.
enum DataParallelBenchmarks {
    struct Case {
        let name: String
        let config: LlamaConfig
        let sequence: Int, globalBatch: Int, microBatch: Int, steps: Int
    }

    static let cases: [Case] = [
        // The micro recipe's LLM (MicroRecipe.language, with the 512-token vocabulary it had when these figures were
        // recorded; it now has 640) and stage-2 batch (32 = 2 × 16).
        Case(name: "micro", config: LlamaConfig(vocabSize: 512, hiddenSize: 128, intermediateSize: 320, numHiddenLayers: 3,
                                                numAttentionHeads: 4, numKeyValueHeads: 2, rmsNormEps: 1e-5,
                                                maxPositionEmbeddings: 384, tieWordEmbeddings: true),
             sequence: 96, globalBatch: 32, microBatch: 16, steps: 5),
        // SmolLM2-135M's shape (TrainBenchmarks' case), 4 sequences of 256 tokens in micro-batches of 2.
        Case(name: "SmolLM2", config: TrainBenchmarks.cases.first { $0.name == "SmolLM2" }!.config,
             sequence: 256, globalBatch: 4, microBatch: 2, steps: 2),
    ]

    static func run() throws {
        let picked = Set(CommandLine.arguments.filter { $0.hasPrefix("dp:") }.map { String($0.dropFirst(3)) })
        var parallel = try DataParallel.launched()
        if let kib = ProcessInfo.processInfo.environment["MLAN_BUCKET_KIB"].flatMap(Int.init) { parallel.bucketBytes = kib << 10 }
        for c in cases where picked.contains(c.name) {
            var rng = SplitMix64(seed: 7)
            let model = LlamaForCausalLM(c.config, rng: &rng)
            let examples = (0..<c.globalBatch).map { i in
                let ids = (0..<c.sequence).map { _ in Int(rng.next() % UInt64(c.config.vocabSize)) }
                return Example(id: "x\(i)", tokens: TokenizedExample(ids: ids, isTarget: ids.indices.map { $0 > c.sequence / 4 }))
            }
            var config = TrainConfig()
            (config.globalBatchSize, config.microBatchSize, config.maxLength) = (c.globalBatch, c.microBatch, c.sequence)
            (config.groupByModalityLength, config.learningRate, config.warmupRatio) = (false, 1e-4, 0)
            let collator = Collator(padID: 0, maxLength: c.sequence)
            let trainer = try Trainer(model: model, config: config, examples: examples, collator: collator,
                                      runDirectory: nil, parallel: parallel)
            let batches = try stride(from: 0, to: c.globalBatch, by: c.microBatch).map {
                try collator.collate(Array(examples[$0..<$0 + c.microBatch]))
            }
            model.setTraining(true)
            var steps: [Double] = [], waits: [Double] = []
            for index in 0...c.steps {
                let step = try trainer.step(batches, index: index)
                if index > 0 { steps.append(step.seconds * 1e3); waits.append(step.communicationSeconds * 1e3) }  // 0: warm-up
            }
            guard parallel.isWriter else { continue }
            print((["dp", c.name, "\(parallel.communicator.size)", "\(BLAS.threadCount)", "\(parallel.bucketBytes >> 10)"]
                   + steps.map { format($0, 1) } + ["|"] + waits.map { format($0, 1) }).joined(separator: " "))
        }
    }
}
