import Foundation
import MLANCore
import MLANData
import MLANModel

/// Supervised fine-tuning: AdamW over the trainable parameters, warmup + cosine (or linear/constant) schedule,
/// gradient accumulation to a global batch with the loss averaged over that batch's supervised targets,
/// global-norm clipping, JSONL logging, atomic checkpoints and bit-exact resume.
///
/// `step(_:index:)` is one optimizer step over one global batch; `run(resume:stopAfter:onEvent:)` is the loop
/// around it (epochs, logging, checkpoints, resume). Each optimizer step takes `accumulationSteps`
/// micro-batches from the epoch's order (modality- and length-grouped when configured, seeded); the last step
/// of an epoch may take fewer.
///
/// ```swift
/// let trainer = try Trainer(model: llama, config: config, examples: examples, collator: Collator(padID: 0),
///                           runDirectory: URL(fileURLWithPath: "runs/sft"))
/// let result = try trainer.run { event in if case .checkpointSaved(let url, _) = event { print(url.path) } }
/// ```
public final class Trainer {
    /// The model being trained.
    public let model: any TrainableModel
    /// The run's hyper-parameters.
    public let config: TrainConfig
    /// Every training example; epochs draw micro-batches of their indices.
    public let examples: [Example]
    /// Truncates and pads each micro-batch.
    public let collator: Collator
    /// The parameter counts behind the FLOP accounting.
    public let profile: ComputeProfile
    /// Where the log and checkpoints go (`nil`: nowhere).
    public let runDirectory: URL?
    /// The step log (JSONL in the run directory, progress on standard error).
    public let log: TrainLog
    private let parameters: [(name: String, tensor: Tensor)]
    private var optimizer: AdamW
    private let schedule: LearningRateSchedule
    /// The newest checkpoint this run wrote or resumed from (named when the loss turns non-finite).
    public private(set) var lastCheckpoint: URL?
    /// The job the global batches are spread over (one process unless given).
    public let parallel: DataParallel
    private var exchange: GradientExchange?
    private lazy var fingerprint = RunFingerprint(config: config, examples: examples, collator: collator,
                                                   trained: parameters.map(\.name))

    /// A trainer for `model` on `examples`; outputs (log, checkpoints) go to `runDirectory` when given, and only
    /// from `parallel`'s rank 0 (the other ranks read checkpoints there to resume, so it must be shared).
    /// Without a `profile`, FLOPs count trainable parameters 6·N·T and frozen ones 4·N·T on every position.
    /// - Throws: `TrainError` for an invalid config, an empty dataset or a model with every parameter frozen.
    public init(model: any TrainableModel, config: TrainConfig, examples: [Example], collator: Collator,
                profile: ComputeProfile? = nil, runDirectory: URL?, label: String = "train",
                parallel: DataParallel = .single) throws {
        try config.validate()
        guard !examples.isEmpty else { throw TrainError.emptyDataset("no examples") }
        self.model = model
        self.config = config
        self.examples = examples
        self.collator = collator
        self.runDirectory = runDirectory
        parameters = model.trainableParameters()
        guard !parameters.isEmpty else { throw TrainError.invalidConfig(field: "freeze", reason: "every parameter is frozen") }
        let trained = parameters.reduce(0) { $0 + $1.tensor.count }
        self.profile = profile ?? ComputeProfile(trainedParameters: trained,
                                                 frozenBackpropParameters: model.parameterCount - trained)
        optimizer = AdamW(ParameterGroup.decayAndNoDecay(parameters, weightDecay: config.weightDecay),
                          beta1: config.adamBeta1, beta2: config.adamBeta2, eps: config.adamEpsilon)
        self.parallel = parallel
        if let runDirectory, parallel.isWriter {
            try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        }
        log = try TrainLog(url: parallel.isWriter ? runDirectory?.appendingPathComponent("train_log.jsonl") : nil, label: label)
        log.printsProgress = parallel.isWriter
        let multimodal = examples.filter(\.isMultimodal).count
        let microBatches = config.groupByModalityLength
            ? ModalityLengthSampler.batchCount(multimodal: multimodal, languageOnly: examples.count - multimodal,
                                               batchSize: config.microBatchSize)
            : (examples.count + config.microBatchSize - 1) / config.microBatchSize
        let perEpoch = (microBatches + config.accumulationSteps - 1) / config.accumulationSteps
        let total = min(config.maxSteps ?? Int.max, perEpoch * config.epochs)
        schedule = LearningRateSchedule(config.schedule, peak: config.learningRate, totalSteps: total,
                                        warmupRatio: config.warmupRatio)
    }

    /// Optimizer steps the run makes.
    public var totalSteps: Int { schedule.totalSteps }

    /// The micro-batches of one epoch, as example indices.
    /// - Throws: `BatchError` when the modality-length sampler cannot group the examples.
    public func microBatches(epoch: Int) throws -> [[Int]] {
        if config.groupByModalityLength {
            let lengths = examples.map {
                $0.modelLength(imagePlaceholder: collator.imagePlaceholder, imageTokenCount: collator.imageTokenCount)
            }
            // One length group per optimizer step, as LLaVA's megabatches: each step is a random draw.
            let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: examples.map(\.isMultimodal),
                                                    batchSize: config.microBatchSize,
                                                    groupSize: config.accumulationSteps, seed: config.seed)
            return sampler.batches(epoch: epoch)
        }
        var order = Array(examples.indices)
        var rng = SplitMix64(seed: config.seed &+ UInt64(epoch) &* 0x9E37_79B9)
        rng.shuffle(&order)
        return stride(from: 0, to: order.count, by: config.microBatchSize).map {
            Array(order[$0..<min($0 + config.microBatchSize, order.count)])
        }
    }

    /// One optimizer step over one global batch: each micro-batch's mean loss, weighted by its share of the
    /// global batch's supervised targets, is backpropagated (a micro-batch without targets is skipped); then
    /// the gradients are clipped, AdamW steps with the schedule's rate at `index`, and the gradients are zeroed.
    /// Under data parallelism every rank passes the whole global batch and computes its own shards only; the
    /// shards' gradients and losses are summed before the (identical) update.
    ///
    /// `run` calls it with consecutive indices; a custom loop must do the same for the schedule and AdamW's
    /// bias correction to match.
    /// - Throws: `TrainError.nonFiniteLoss` before any weight changes, and the model's errors for a batch it
    ///   cannot take.
    public func step(_ microBatches: [Batch], index: Int) throws -> TrainStep {
        let started = Date()
        let targetTotal = microBatches.reduce(0) { $0 + $1.supervisedTargetCount }
        var loss: Float = 0
        var waited = 0.0
        if parallel.isTrivial {
            for batch in microBatches where batch.supervisedTargetCount > 0 {
                loss += try backpropagate(batch, targetTotal: targetTotal)
            }
        } else {
            let exchange = self.exchange ?? GradientExchange(parameters: parameters.map(\.tensor), parallel: parallel)
            self.exchange = exchange
            exchange.reset()
            var shardLosses: [Float] = []
            for shard in parallel.ownShards {
                let batches = microBatches[parallel.microBatches(ofShard: shard, count: microBatches.count)]
                    .filter { $0.supervisedTargetCount > 0 }
                var shardLoss: Float = 0
                for (k, batch) in batches.enumerated() {
                    // The rank's last backward reports each gradient as it completes: its bucket starts reducing.
                    let watch = exchange.overlaps && parallel.bucketBytes > 0 && k == batches.count - 1
                    shardLoss += try backpropagate(batch, targetTotal: targetTotal, exchange: watch ? exchange : nil)
                }
                shardLosses.append(shardLoss)
                if !exchange.overlaps { exchange.snapshot() }
            }
            loss = exchange.finish(extras: shardLosses).reduce(0, +)
            waited = exchange.waitSeconds
        }
        guard loss.isFinite else {
            throw TrainError.nonFiniteLoss(step: index + 1, loss: loss, lastCheckpoint: lastCheckpoint?.path)
        }
        let norm = clipGradientNorm(parameters.map(\.tensor), maxNorm: config.maxGradNorm)
        let learningRate = schedule.learningRate(at: index)
        optimizer.step(learningRate: Float(learningRate))
        for p in parameters { p.tensor.zeroGrad() }
        return TrainStep(index: index, loss: loss, learningRate: learningRate, gradNorm: norm,
                         usage: usage(of: microBatches), seconds: Date().timeIntervalSince(started),
                         communicationSeconds: waited)
    }

    /// Backpropagates one micro-batch's loss scaled by its share of the global batch's targets; returns that
    /// scaled loss. With `exchange`, each gradient is handed to it as soon as backward completes it.
    private func backpropagate(_ batch: Batch, targetTotal: Int, exchange: GradientExchange? = nil) throws -> Float {
        let share = Float(batch.supervisedTargetCount) / Float(targetTotal)
        let scaled = try model.loss(batch) * share  // the global batch's mean over its targets
        if let exchange {
            scaled.backward(watching: parameters.map(\.tensor)) { exchange.ready($0) }
        } else {
            scaled.backward()
        }
        return scaled.item
    }

    /// Trains to the end (or through step `stopAfter`), resuming from the newest checkpoint in the run directory
    /// when `resume` is set, and reports each resume, step and checkpoint to `onEvent`. The last step of the
    /// call is always logged and checkpointed. A resumed run's `records` start with the log's records up to the
    /// checkpoint; the log drops what follows them (an interrupted call's later steps; everything, when the run
    /// starts over).
    /// - Throws: `TrainError.nonFiniteLoss` (the last good checkpoint stays); `TrainError.resumeMismatch` for a
    ///   checkpoint from a run on other examples or settings; model and checkpoint errors.
    @discardableResult
    public func run(resume: Bool = true, stopAfter: Int? = nil,
                    onEvent: (TrainEvent) -> Void = { _ in }) throws -> TrainResult {
        var done = 0
        var efficiency = EfficiencyReport()
        lastCheckpoint = nil
        if resume, let latest = Checkpointing.latest(in: runDirectory) {
            (done, efficiency) = try Checkpointing.restore(from: latest, model: model, optimizer: &optimizer,
                                                           fingerprint: fingerprint)
            lastCheckpoint = latest
            log.note("Resumed from \(latest.path) at step \(done)")
            onEvent(.resumed(checkpoint: latest, step: done))
        }
        if parallel.isWriter { try log.keepRecords(through: done) }
        try checkReplicas(step: done)
        model.setTraining(true)
        defer { model.setTraining(false) }
        let start = Date().addingTimeInterval(-efficiency.seconds)
        let end = min(totalSteps, stopAfter ?? Int.max)
        var cursor = try EpochCursor(accumulation: config.accumulationSteps, first: microBatches(epoch: 0))
        var lastLoss: Float = .nan
        while done < end {
            let group = try cursor.globalBatch(at: done) { try microBatches(epoch: $0) }
            let outcome = try step(group.map { try collator.collate($0.map { examples[$0] }) }, index: done)
            done += 1
            lastLoss = outcome.loss
            efficiency = efficiency + outcome.usage
            efficiency.optimizerSteps = done
            efficiency.seconds = Date().timeIntervalSince(start)
            onEvent(.step(outcome, epoch: cursor.epoch))
            let lastOfCall = done == end
            if config.logEvery > 0 && done % config.logEvery == 0 || lastOfCall {
                log.record(StepRecord(step: done, epoch: cursor.epoch, loss: outcome.loss,
                                      learningRate: outcome.learningRate, gradNorm: outcome.gradNorm,
                                      tokensPerSecond: Double(outcome.positions) / max(outcome.seconds, 1e-9),
                                      elapsedSeconds: efficiency.seconds), totalSteps: totalSteps)
            }
            if let runDirectory, config.checkpointEvery > 0 && done % config.checkpointEvery == 0 || lastOfCall {
                guard parallel.isWriter else {
                    lastCheckpoint = Checkpointing.directory(step: done, in: runDirectory)
                    continue
                }
                let saved = try Checkpointing.save(step: done, model: model, optimizer: optimizer, efficiency: efficiency,
                                                   config: config, fingerprint: fingerprint, in: runDirectory,
                                                   keep: config.keepCheckpoints)
                lastCheckpoint = saved
                onEvent(.checkpointSaved(saved, step: done))
            }
        }
        return TrainResult(efficiency: efficiency, records: log.records, finalLoss: lastLoss)
    }

    /// Under data parallelism, checks that every rank starts from the same step and the same trainable weights
    /// (a rank that could not see rank 0's checkpoints, or built another model, would silently diverge).
    private func checkReplicas(step: Int) throws {
        guard parallel.communicator.size > 1 else { return }
        var checksum = 0.0
        for p in parameters {
            p.tensor.withUnsafeBufferPointer { for (k, x) in $0.enumerated() { checksum += Double(x) * Double(k % 7 + 1) } }
        }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: Int64(step)) { bytes += $0 }
        withUnsafeBytes(of: checksum.bitPattern) { bytes += $0 }
        let all = parallel.communicator.allGather(bytes: bytes)
        for (rank, other) in all.enumerated() where other != all[0] {
            let theirs = other.withUnsafeBytes { $0.load(as: Int64.self) }, ours = all[0].withUnsafeBytes { $0.load(as: Int64.self) }
            throw TrainError.resumeMismatch(path: runDirectory?.path ?? "(no run directory)", reason: theirs != ours
                ? "rank \(rank) starts at step \(theirs), rank 0 at step \(ours): every rank must see rank 0's run directory"
                : "rank \(rank) holds other trainable weights than rank 0: every rank must build the same model")
        }
    }

    /// The examples, tokens, supervised targets and FLOPs of `batches`, as one optimizer step.
    private func usage(of batches: [Batch]) -> EfficiencyReport {
        var report = EfficiencyReport()
        report.optimizerSteps = 1
        for batch in batches {
            for (row, length) in batch.lengths.enumerated() {
                let imageTokens = batch.images[row].count * model.imageTokenCount
                let placeholders = collator.imagePlaceholder.map { p in batch.inputIDs[row].prefix(length).filter { $0 == p }.count } ?? 0
                let text = model.readsText ? length - placeholders : 0
                report.examples += 1
                report.textTokens += text
                report.imageTokens += imageTokens
                report.supervisedTokens += batch.supervisedTargetCount(row: row)
                report.flops += profile.flops(tokens: text + imageTokens, imageTokens: imageTokens)
            }
        }
        return report
    }
}
