import Foundation

/// What `Trainer.run` reports as it goes, in order.
public enum TrainEvent: Sendable, Equatable {
    /// The run continued from `checkpoint`, after `step` optimizer steps.
    case resumed(checkpoint: URL, step: Int)
    /// An optimizer step finished in `epoch` (0-based).
    case step(TrainStep, epoch: Int)
    /// A checkpoint was written after `step` optimizer steps.
    case checkpointSaved(URL, step: Int)
}
