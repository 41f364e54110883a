/// What one optimizer step did: returned by `Trainer.step`, and carried by `TrainEvent.step`.
public struct TrainStep: Sendable, Equatable {
    /// The step's 0-based index in the run (its learning rate is the schedule's at `index`).
    public var index: Int
    /// The global batch's mean cross-entropy over its supervised targets.
    public var loss: Float
    /// The learning rate the optimizer applied.
    public var learningRate: Double
    /// The global gradient norm before clipping.
    public var gradNorm: Float
    /// What the step's micro-batches held and cost: examples, tokens, supervised targets and FLOPs, with
    /// `optimizerSteps` 1 and `seconds` 0 (the loop keeps wall time).
    public var usage: EfficiencyReport
    /// Seconds from the first forward pass to the optimizer update.
    public var seconds: Double
    /// Of `seconds`, those spent after backward waiting for the gradients' exchange with other processes.
    public var communicationSeconds: Double = 0

    /// Model positions processed (text tokens plus image tokens).
    public var positions: Int { usage.textTokens + usage.imageTokens }
}
