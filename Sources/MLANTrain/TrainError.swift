/// Failures of a training run.
public enum TrainError: Error, CustomStringConvertible {
    /// A configuration value is out of range.
    case invalidConfig(field: String, reason: String)
    /// The loss became NaN or infinite; the last good checkpoint (if any) is kept.
    case nonFiniteLoss(step: Int, loss: Float, lastCheckpoint: String?)
    /// Nothing to train on.
    case emptyDataset(String)
    /// A checkpoint to resume from does not match this run.
    case resumeMismatch(path: String, reason: String)

    /// A message naming the field, step or file.
    public var description: String {
        switch self {
        case .invalidConfig(let field, let reason): "invalid training config: \(field): \(reason)"
        case .nonFiniteLoss(let step, let loss, let checkpoint):
            "Loss became \(loss) at step \(step); stopped. "
                + (checkpoint.map { "The last good checkpoint is \($0)." } ?? "No checkpoint was saved before it.")
        case .emptyDataset(let what): "Nothing to train on: \(what)"
        case .resumeMismatch(let path, let reason): "\(path): cannot resume: \(reason)"
        }
    }
}
