import Foundation
import MLANCore

/// Hyper-parameters of one training run (a stage of the recipe), decoded from JSON with snake_case keys.
public struct TrainConfig: Codable, Sendable, Equatable {
    /// Peak learning rate.
    public var learningRate: Double = 2e-5
    /// Examples per optimizer step (across gradient accumulation).
    public var globalBatchSize = 64
    /// Examples per forward pass; `globalBatchSize` must be a multiple of it.
    public var microBatchSize = 8
    /// Passes over the examples.
    public var epochs = 1
    /// Stop after this many optimizer steps (nil: run all epochs).
    public var maxSteps: Int? = nil
    /// Share of the steps that warm the learning rate up linearly from 0.
    public var warmupRatio = 0.03
    /// The decay after warmup (`cosine`, `linear`, `constant`).
    public var schedule: LearningRateSchedule.Kind = .cosine
    /// AdamW's decoupled weight decay (biases and norms excluded).
    public var weightDecay: Float = 0
    /// The global gradient norm is clipped to this.
    public var maxGradNorm: Float = 1
    /// AdamW's first-moment decay.
    public var adamBeta1: Float = 0.9
    /// AdamW's second-moment decay.
    public var adamBeta2: Float = 0.999
    /// AdamW's denominator epsilon.
    public var adamEpsilon: Float = 1e-8
    /// Longest example in tokens (model positions) after truncation.
    public var maxLength = 2048
    /// LLaVA's `group_by_modality_length`: all-text or all-image batches of similar length.
    public var groupByModalityLength = true
    /// Seeds the epochs' example order.
    public var seed: UInt64 = 42
    /// Log every N optimizer steps (0: only the last).
    public var logEvery = 1
    /// Save a checkpoint every N optimizer steps (0: only at the end).
    public var checkpointEvery = 0
    /// Checkpoints to keep (oldest removed first).
    public var keepCheckpoints = 2

    /// The defaults (LLaVA stage 2's, with a global batch of 64).
    public init() {}

    /// Micro-batches per optimizer step.
    public var accumulationSteps: Int { globalBatchSize / microBatchSize }

    /// Checks the values fit together.
    /// - Throws: `TrainError.invalidConfig` naming the field.
    public func validate() throws {
        func fail(_ field: String, _ reason: String) -> TrainError { .invalidConfig(field: field, reason: reason) }
        guard learningRate >= 0 else { throw fail("learning_rate", "must be >= 0") }
        guard microBatchSize > 0 else { throw fail("micro_batch_size", "must be positive") }
        guard globalBatchSize >= microBatchSize, globalBatchSize % microBatchSize == 0 else {
            throw fail("global_batch_size", "must be a positive multiple of micro_batch_size (\(microBatchSize))")
        }
        guard epochs > 0 else { throw fail("epochs", "must be positive") }
        guard (0..<1).contains(warmupRatio) else { throw fail("warmup_ratio", "must be in [0, 1)") }
        guard maxGradNorm > 0 else { throw fail("max_grad_norm", "must be positive") }
        guard maxLength > 1 else { throw fail("max_length", "must be > 1") }
        guard keepCheckpoints > 0 else { throw fail("keep_checkpoints", "must be positive") }
    }

    enum CodingKeys: String, CodingKey {
        case learningRate = "learning_rate", globalBatchSize = "global_batch_size", microBatchSize = "micro_batch_size"
        case epochs, maxSteps = "max_steps", warmupRatio = "warmup_ratio", schedule, weightDecay = "weight_decay"
        case maxGradNorm = "max_grad_norm", adamBeta1 = "adam_beta1", adamBeta2 = "adam_beta2"
        case adamEpsilon = "adam_epsilon", maxLength = "max_length", groupByModalityLength = "group_by_modality_length"
        case seed, logEvery = "log_every", checkpointEvery = "checkpoint_every", keepCheckpoints = "keep_checkpoints"
    }

    /// Reads the snake_case keys; a key left out keeps its default.
    /// - Throws: `DecodingError` for a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.learningRate, &learningRate); try read(.globalBatchSize, &globalBatchSize)
        try read(.microBatchSize, &microBatchSize); try read(.epochs, &epochs)
        maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps)
        try read(.warmupRatio, &warmupRatio); try read(.schedule, &schedule); try read(.weightDecay, &weightDecay)
        try read(.maxGradNorm, &maxGradNorm); try read(.adamBeta1, &adamBeta1); try read(.adamBeta2, &adamBeta2)
        try read(.adamEpsilon, &adamEpsilon); try read(.maxLength, &maxLength)
        try read(.groupByModalityLength, &groupByModalityLength); try read(.seed, &seed)
        try read(.logEvery, &logEvery); try read(.checkpointEvery, &checkpointEvery)
        try read(.keepCheckpoints, &keepCheckpoints)
    }
}
