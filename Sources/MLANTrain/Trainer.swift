import Foundation
import MLANCore
import MLANData
import MLANModel

/// What a finished run reports.
public struct TrainResult: Sendable {
    public var efficiency: EfficiencyReport
    public var records: [StepRecord]
    /// The loss of the last optimizer step.
    public var finalLoss: Float
}

/// Supervised fine-tuning: AdamW over the trainable parameters, warmup + cosine (or linear/constant) schedule,
/// gradient accumulation to a global batch with the loss averaged over that batch's supervised tokens,
/// global-norm clipping, JSONL logging, atomic checkpoints and bit-exact resume.
///
/// Each optimizer step takes `accumulationSteps` micro-batches from the epoch's order (modality- and
/// length-grouped when configured, seeded); the last step of an epoch may take fewer.
public final class Trainer {
    public let model: any TrainableModel
    public let config: TrainConfig
    public let examples: [Example]
    public let collator: Collator
    public let profile: ComputeProfile
    public let runDirectory: URL?
    public let log: TrainLog
    private let parameters: [(name: String, tensor: Tensor)]
    private var optimizer: AdamW
    private let schedule: LearningRateSchedule

    /// A trainer for `model` on `examples`; outputs (log, checkpoints) go to `runDirectory` when given.
    /// - Throws: `TrainError` for an invalid config or an empty dataset.
    public init(model: any TrainableModel, config: TrainConfig, examples: [Example], collator: Collator,
                profile: ComputeProfile? = nil, runDirectory: URL?, label: String = "train") throws {
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
        if let runDirectory { try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true) }
        log = try TrainLog(url: runDirectory?.appendingPathComponent("train_log.jsonl"), label: label)
        let microBatches = Self.microBatchCount(examples.count, config)
        let perEpoch = (microBatches + config.accumulationSteps - 1) / config.accumulationSteps
        let total = min(config.maxSteps ?? Int.max, perEpoch * config.epochs)
        schedule = LearningRateSchedule(config.schedule, peak: config.learningRate, totalSteps: total,
                                        warmupRatio: config.warmupRatio)
    }

    /// Optimizer steps the run makes.
    public var totalSteps: Int { schedule.totalSteps }

    static func microBatchCount(_ examples: Int, _ config: TrainConfig) -> Int {
        (examples + config.microBatchSize - 1) / config.microBatchSize
    }

    /// The micro-batches of one epoch, as example indices.
    public func microBatches(epoch: Int) throws -> [[Int]] {
        if config.groupByModalityLength {
            let lengths = examples.map { $0.modelLength(imagePlaceholder: collator.imagePlaceholder, imageTokenCount: collator.imageTokenCount) }
            let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: examples.map(\.isMultimodal),
                                                    batchSize: config.microBatchSize, seed: config.seed)
            return sampler.batches(epoch: epoch)
        }
        var order = Array(examples.indices)
        var rng = SplitMix64(seed: config.seed &+ UInt64(epoch) &* 0x9E37_79B9)
        rng.shuffle(&order)
        return stride(from: 0, to: order.count, by: config.microBatchSize).map {
            Array(order[$0..<min($0 + config.microBatchSize, order.count)])
        }
    }

    /// Trains to the end (or through step `stopAfter`), resuming from the newest checkpoint in the run directory
    /// when `resume` is set. The last step of the call is always logged and checkpointed.
    /// - Throws: `TrainError.nonFiniteLoss` (the last good checkpoint stays), model and checkpoint errors.
    @discardableResult
    public func run(resume: Bool = true, stopAfter: Int? = nil) throws -> TrainResult {
        var step = 0
        var efficiency = EfficiencyReport()
        var lastCheckpoint: URL?
        if resume, let latest = Checkpointing.latest(in: runDirectory) {
            let restored = try Checkpointing.restore(from: latest, model: model, optimizer: &optimizer)
            step = restored.step
            efficiency = restored.efficiency
            lastCheckpoint = latest
            log.note("Resumed from \(latest.path) at step \(step)")
        }
        model.setTraining(true)
        let start = Date().addingTimeInterval(-efficiency.seconds)
        var lastLoss: Float = .nan
        let accumulation = config.accumulationSteps
        var epoch = 0, epochBatches = try microBatches(epoch: 0), stepsBefore = 0
        while step < totalSteps && step < (stopAfter ?? Int.max) {
            // Find where `step` lies: its epoch and its first micro-batch.
            var perEpoch = (epochBatches.count + accumulation - 1) / accumulation
            while step >= stepsBefore + perEpoch {
                stepsBefore += perEpoch
                epoch += 1
                epochBatches = try microBatches(epoch: epoch)
                perEpoch = (epochBatches.count + accumulation - 1) / accumulation
            }
            let first = (step - stepsBefore) * accumulation
            let group = epochBatches[first..<min(first + accumulation, epochBatches.count)]
            let batches = try group.map { try collator.collate($0.map { examples[$0] }) }
            let targetTotal = batches.reduce(0) { $0 + $1.isTarget.reduce(0) { $0 + $1.dropFirst().filter { $0 }.count } }
            let stepStart = Date()
            var loss: Float = 0
            for batch in batches {
                let (mean, targets) = try model.loss(batch)
                guard targets > 0 else { continue }
                let scaled = mean * (Float(targets) / Float(max(targetTotal, 1)))  // global-batch token mean
                scaled.backward()
                loss += scaled.item
            }
            guard loss.isFinite else {
                throw TrainError.nonFiniteLoss(step: step + 1, loss: loss, lastCheckpoint: lastCheckpoint?.path)
            }
            let norm = clipGradientNorm(parameters.map(\.tensor), maxNorm: config.maxGradNorm)
            let lr = schedule.learningRate(at: step)
            optimizer.step(learningRate: Float(lr))
            for p in parameters { p.tensor.zeroGrad() }
            step += 1
            lastLoss = loss
            let tokens = account(batches, into: &efficiency)
            efficiency.optimizerSteps = step
            efficiency.seconds = Date().timeIntervalSince(start)
            let record = StepRecord(step: step, epoch: epoch, loss: loss, learningRate: lr, gradNorm: norm,
                                    tokensPerSecond: Double(tokens) / max(Date().timeIntervalSince(stepStart), 1e-9),
                                    elapsedSeconds: efficiency.seconds)
            let lastOfCall = step == min(totalSteps, stopAfter ?? Int.max)
            if config.logEvery > 0 && step % config.logEvery == 0 || lastOfCall {
                log.record(record, totalSteps: totalSteps)
            }
            let checkpointDue = config.checkpointEvery > 0 && step % config.checkpointEvery == 0 || lastOfCall
            if let runDirectory, checkpointDue {
                lastCheckpoint = try Checkpointing.save(step: step, model: model, optimizer: optimizer,
                                                        efficiency: efficiency, config: config, in: runDirectory,
                                                        keep: config.keepCheckpoints)
            }
        }
        model.setTraining(false)
        return TrainResult(efficiency: efficiency, records: log.records, finalLoss: lastLoss)
    }

    /// Adds the batches' examples and tokens to `report`; returns the batches' model positions.
    private func account(_ batches: [Batch], into report: inout EfficiencyReport) -> Int {
        var positions = 0
        for batch in batches {
            for (row, length) in batch.lengths.enumerated() {
                let images = batch.images[row].count
                let imageTokens = images * model.imageTokenCount
                let placeholders = collator.imagePlaceholder.map { p in batch.inputIDs[row].prefix(length).filter { $0 == p }.count } ?? 0
                let text = length - placeholders
                report.examples += 1
                report.textTokens += text
                report.imageTokens += imageTokens
                report.supervisedTokens += batch.isTarget[row].dropFirst().filter { $0 }.count
                report.flops += profile.flops(tokens: text + imageTokens, imageTokens: imageTokens)
                positions += text + imageTokens
            }
        }
        return positions
    }
}
