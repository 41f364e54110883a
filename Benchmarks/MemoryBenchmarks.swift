import Foundation
import MLANCore
import MLANData
import MLANEval
import MLANModel
import MLANTrain

/// Resident memory against training steps and evaluated documents: a long run must keep a flat profile.
///
/// `memory:train` trains a small Llama with the real `Trainer` (checkpoints included) on Alpaca records for
/// 2000 steps; `memory:eval` scores SmolLM2-135M-Instruct (native weights; a small random model when
/// `models/` lacks it) on 2000 HellaSwag documents, `memory:eval-random` a small random model on 5000. `memory:train-quick` and `memory:eval-quick` are the sizes
/// `Tests/MLANTrainTests/FlatMemoryTests` runs: 300 steps of a tiny model, and one run over the same 100 documents
/// four times. Each prints machine-readable lines `memory KIND COUNT CURRENT_MiB PEAK_MiB` (current: resident
/// pages from `/proc/self/statm`; peak: `VmHWM`), then a summary of the growth after the warm-up.
enum MemoryBenchmarks {
    /// The tokenizer both workloads use: byte-level BPE trained on the Alpaca records' text, so any text encodes.
    static func tokenizer(_ records: [InstructionRecord], vocabulary: Int) throws -> BPETokenizer {
        try BPETrainer(vocabularySize: vocabulary, specialTokens: ["<|endoftext|>"])
            .train(texts: records.prefix(400).flatMap { $0.turns.map(\.text) })
    }

    static func alpaca() throws -> [InstructionRecord] {
        try InstructionDataset.load(from: EvalBenchmarks.dataDirectory.appendingPathComponent("alpaca/alpaca_small.json"))
            .records
    }

    /// Runs the workloads named on the command line (`memory:train`, `memory:eval`, `memory:eval-random`, the
    /// `-quick` forms).
    static func run() {
        let picked = Set(CommandLine.arguments.filter { $0.hasPrefix("memory:") }.map { String($0.dropFirst(7)) })
        do {
            if picked.contains("train") { try train(quick: false) }
            if picked.contains("train-quick") { try train(quick: true) }
            if picked.contains("eval") { try eval(quick: false) }
            if picked.contains("eval-random") { try eval(quick: false, smolLM2: false) }
            if picked.contains("eval-quick") { try eval(quick: true) }
            if picked.isEmpty {
                print("memory: name a workload: memory:train, memory:eval, memory:eval-random, memory:train-quick, memory:eval-quick\n")
            }
        } catch {
            print("memory: failed: \(error)")
            exit(1)
        }
    }

    // MARK: Training

    /// Trains for 2000 steps (quick: 300) and samples memory every 25 steps (quick: 10).
    static func train(quick: Bool) throws {
        let records = try alpaca()
        let tokenizer = try tokenizer(records, vocabulary: quick ? 384 : 1024)
        let template = try BuiltinTemplates.named("v1")
        let examples = try records.prefix(quick ? 64 : 2000).map {
            try Example($0, template: template, tokenizer: tokenizer, imagePlaceholder: -200, addBOS: false)
        }
        var rng = SplitMix64(seed: 16)
        let model = LlamaForCausalLM(quick
            ? LlamaConfig(vocabSize: tokenizer.vocabularySize, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2,
                          numAttentionHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 256)
            : LlamaConfig(vocabSize: tokenizer.vocabularySize, hiddenSize: 128, intermediateSize: 384, numHiddenLayers: 2,
                          numAttentionHeads: 4, numKeyValueHeads: 4, maxPositionEmbeddings: 512), rng: &rng)
        var config = TrainConfig()
        config.learningRate = 1e-3
        config.globalBatchSize = quick ? 4 : 8
        config.microBatchSize = 4
        config.epochs = 1000
        config.maxSteps = quick ? 300 : 2000
        config.maxLength = quick ? 128 : 256
        config.logEvery = 10
        config.checkpointEvery = quick ? 50 : 250
        config.keepCheckpoints = 1
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-memory-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: run) }
        let trainer = try Trainer(model: model, config: config, examples: examples,
                                  collator: Collator(padID: 0, maxLength: config.maxLength), runDirectory: run)
        trainer.log.printsProgress = false
        let every = quick ? 10 : 25
        print("Memory, training: Llama \(model.parameterCount) parameters, \(examples.count) Alpaca examples "
            + "(BPE \(tokenizer.vocabularySize)), \(trainer.totalSteps) steps of \(config.globalBatchSize) × ≤ "
            + "\(config.maxLength) tokens, checkpoint every \(config.checkpointEvery), \(BLAS.threadCount) threads")
        // `MLAN_MEMORY_LEAK_KIB=N` keeps N KiB more per step: how `FlatMemoryTests` shows that its check fails on a leak.
        let leak = Int(ProcessInfo.processInfo.environment["MLAN_MEMORY_LEAK_KIB"] ?? "") ?? 0
        var leaked: [[UInt8]] = []
        var samples = [sample("train", 0)]
        let started = Date()
        try trainer.run { event in
            guard case .step(let step, _) = event else { return }
            if leak > 0 { leaked.append([UInt8](repeating: 1, count: leak << 10)) }
            if (step.index + 1) % every == 0 { samples.append(sample("train", step.index + 1)) }
        }
        if leak > 0 { print("memory train leaked \(leaked.count) × \(leak) KiB on purpose") }
        summarize("train", samples, warmUp: trainer.totalSteps / 6, unit: "step", seconds: Date().timeIntervalSince(started))
    }

    // MARK: Evaluation

    /// Scores 2000 HellaSwag documents with SmolLM2 (without `smolLM2`: 5000 with a tiny random model; quick: the
    /// first 100 four times over, tiny model),
    /// sampling memory after every batch of 16 documents.
    static func eval(quick: Bool, smolLM2: Bool = true) throws {
        let model: LlamaForCausalLM, tokenizer: any Tokenizer, name: String
        if !quick, smolLM2, FileManager.default.fileExists(atPath: ModelBenchmarks.modelPath.path) {
            let loaded = try LanguageModelLoader.load(from: ModelBenchmarks.modelPath, weights: .native)
            (model, tokenizer, name) = (loaded.model, loaded.tokenizer, "SmolLM2-135M-Instruct (Q4_1, native)")
        } else {
            let bpe = try Self.tokenizer(try alpaca(), vocabulary: 384)
            var rng = SplitMix64(seed: 16)
            model = LlamaForCausalLM(LlamaConfig(vocabSize: bpe.vocabularySize, hiddenSize: 32, intermediateSize: 64,
                                                 numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2,
                                                 maxPositionEmbeddings: 512), rng: &rng)
            (tokenizer, name) = (bpe, "random Llama \(model.parameterCount) parameters (BPE \(bpe.vocabularySize))")
        }
        let (repeats, documents) = quick ? (4, 100) : (1, smolLM2 ? 2000 : 5000)
        let hellaswag = try BuiltinTasks.task(named: "hellaswag", protocol: .lmEval,
                                              options: BuiltinTaskOptions(dataDirectory: EvalBenchmarks.dataDirectory))
        let task = repeated(hellaswag, first: documents, times: repeats)
        let scorer = MemorySampledScorer(LanguageModelScorer(model: model, tokenizer: tokenizer, template: nil, identity: name))
        let runner = EvalRunner(scorer: scorer, options: EvalOptions(bootstrapIterations: 10),
                                progress: ProgressReporter(mode: .silent))
        print("Memory, evaluation: \(name), HellaSwag (lm-eval protocol), one run of \(repeats) × \(documents) "
            + "documents, \(BLAS.threadCount) threads")
        scorer.samples = [sample("eval", 0)]
        let started = Date()
        _ = try runner.run([task])
        summarize("eval", scorer.samples, warmUp: quick ? documents : documents / 6, unit: "document",
                  seconds: Date().timeIntervalSince(started))
    }

    static func repeated<Base: EvalTask>(_ base: Base, first count: Int, times: Int) -> any EvalTask {
        RepeatedTask(base: base, count: count, times: times)
    }

    // MARK: Measuring

    /// Resident memory at one point of a run, in MiB.
    struct Sample {
        let count: Int, current: Double, peak: Double
    }

    /// Reads and prints the memory now, after `count` steps or documents.
    static func sample(_ kind: String, _ count: Int) -> Sample {
        let sample = Sample(count: count, current: currentResidentMiB(), peak: ModelBenchmarks.peakResidentMiB())
        print("memory \(kind) \(count) \(format(sample.current, 2)) \(format(sample.peak, 2))")
        return sample
    }

    /// Resident set size of this process now (`/proc/self/statm`'s second field, in pages), in MiB.
    static func currentResidentMiB() -> Double {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/statm"), let data = try? handle.readToEnd(),
              let text = String(data: data, encoding: .utf8),
              let pages = Double(text.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// Prints the growth of current and peak memory from the first sample at or after `warmUp` to the last, and
    /// the least-squares slope of the current memory over that span.
    static func summarize(_ kind: String, _ samples: [Sample], warmUp: Int, unit: String, seconds: Double) {
        let tail = samples.filter { $0.count >= warmUp }
        guard let first = tail.first, let last = tail.last, last.count > first.count else { return }
        let n = Double(tail.count)
        let meanX = tail.reduce(0) { $0 + Double($1.count) } / n, meanY = tail.reduce(0) { $0 + $1.current } / n
        let sxy = tail.reduce(0) { $0 + (Double($1.count) - meanX) * ($1.current - meanY) }
        let sxx = tail.reduce(0) { $0 + (Double($1.count) - meanX) * (Double($1.count) - meanX) }
        let slope = sxx > 0 ? sxy / sxx * 1024 : 0
        print("memory \(kind) summary: after \(first.count) \(unit)s, current \(format(first.current)) → "
            + "\(format(last.current)) MiB (\(format(last.current - first.current, 2)) MiB over \(last.count - first.count) "
            + "\(unit)s, slope \(format(slope, 2)) KiB/\(unit)), peak \(format(first.peak)) → \(format(last.peak)) MiB; "
            + "\(format(seconds)) s\n")
    }
}

/// A scorer that forwards to another and samples memory after each call (the runner sends one batch of
/// documents per call; HellaSwag has four requests per document).
final class MemorySampledScorer: Scorer {
    let base: any Scorer
    var samples: [MemoryBenchmarks.Sample] = []
    private var requests = 0

    init(_ base: any Scorer) { self.base = base }

    var identity: String { base.identity }

    func loglikelihood(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResult] {
        defer { record(requests.count) }
        return try base.loglikelihood(requests)
    }

    func loglikelihoodRolling(_ prompts: [Prompt]) throws -> [Double] {
        defer { record(prompts.count) }
        return try base.loglikelihoodRolling(prompts)
    }

    func generate(_ requests: [GenerationRequest]) throws -> [String] {
        defer { record(requests.count) }
        return try base.generate(requests)
    }

    private func record(_ count: Int) {
        requests += count
        samples.append(MemoryBenchmarks.sample("eval", requests / 4))
    }
}

/// The first `count` documents of a task, `times` over, as one task: a run that sees the same documents again
/// (so every shape has been seen after the first round) without loading the file again.
struct RepeatedTask<Base: EvalTask>: EvalTask {
    let base: Base
    let count: Int, times: Int

    var info: TaskInfo { base.info }

    func documents() throws -> [Base.Doc] {
        let first = Array(try base.documents().prefix(count))
        return Array((0..<times).map { _ in first }.joined())
    }

    func instance(for doc: Base.Doc, index: Int) throws -> EvalInstance { try base.instance(for: doc, index: index) }
}
