/// What a strict load found wrong between a checkpoint and a model.
public struct LoadReport: Sendable, Equatable, CustomStringConvertible {
    /// Model parameters the checkpoint lacks (outside `allowMissing`).
    public var missing: [String] = []
    /// Checkpoint tensors no parameter takes.
    public var unexpected: [String] = []
    /// Names present on both sides with different shapes.
    public var shapeMismatches: [(name: String, model: [Int], checkpoint: [Int])] = []
    /// Parameters filled from the checkpoint.
    public var loaded: [String] = []

    /// True when nothing is missing, unexpected or mismatched.
    public var isClean: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var lines: [String] = []
        if !missing.isEmpty { lines.append("missing (\(missing.count)): \(missing.prefix(8).joined(separator: ", "))") }
        if !unexpected.isEmpty { lines.append("unexpected (\(unexpected.count)): \(unexpected.prefix(8).joined(separator: ", "))") }
        for m in shapeMismatches.prefix(8) { lines.append("shape mismatch \(m.name): model \(m.model), checkpoint \(m.checkpoint)") }
        return lines.isEmpty ? "clean (\(loaded.count) tensors)" : lines.joined(separator: "; ")
    }

    public static func == (a: LoadReport, b: LoadReport) -> Bool {
        a.missing == b.missing && a.unexpected == b.unexpected && a.loaded == b.loaded
            && a.shapeMismatches.map(\.name) == b.shapeMismatches.map(\.name)
    }
}

/// Failures loading or saving model checkpoints.
public enum CheckpointError: Error, CustomStringConvertible {
    /// The checkpoint does not fit the model; the report says how.
    case incompatible(path: String, report: LoadReport)
    /// A file of the checkpoint could not be read.
    case unreadable(path: String, reason: String)
    /// A rotary Q/K weight whose rows do not split into the config's heads of an even size.
    case headLayout(path: String, tensor: String, shape: [Int], heads: Int)

    public var description: String {
        switch self {
        case .incompatible(let path, let report): "\(path): checkpoint does not fit the model: \(report)"
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .headLayout(let path, let tensor, let shape, let heads):
            "\(path): tensor \(tensor) \(shape) does not split into \(heads) rotary heads of an even size"
        }
    }
}
