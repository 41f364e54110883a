/// What a finished `Trainer.run` reports.
public struct TrainResult: Sendable {
    /// What the whole run (across resumes) processed and cost.
    public var efficiency: EfficiencyReport
    /// The logged steps of this trainer (every `logEvery`-th step and the last step of each call).
    public var records: [StepRecord]
    /// The loss of the last optimizer step.
    public var finalLoss: Float
}
