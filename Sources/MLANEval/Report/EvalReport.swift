import Foundation
import MLANCore

/// One task's aggregated results.
public struct TaskResult: Sendable {
    /// The task's names, metrics and configuration.
    public var info: TaskInfo
    /// Every reported metric under every filter.
    public var metrics: [MetricKey: AggregatedMetric]
    /// How many documents the split has.
    public var originalCount: Int
    /// How many were evaluated (after `--limit` / `--sample`).
    public var effectiveCount: Int
    /// Whether neither the dataset nor the task cluster was trained on (true without a manifest).
    public var zeroShot: Bool
    /// Why it is not zero-shot.
    public var heldOutViolations: [HeldOutViolation]

    /// A task's results.
    public init(info: TaskInfo, metrics: [MetricKey: AggregatedMetric], originalCount: Int, effectiveCount: Int,
                zeroShot: Bool = true, heldOutViolations: [HeldOutViolation] = []) {
        self.info = info
        self.metrics = metrics
        self.originalCount = originalCount
        self.effectiveCount = effectiveCount
        self.zeroShot = zeroShot
        self.heldOutViolations = heldOutViolations
    }

    /// The primary metric's result.
    public var primary: AggregatedMetric? { metrics[info.primaryMetric] }

    /// Whether the primary metric is a score in [0, 1] that can be averaged with other tasks'.
    var isAveraged: Bool {
        zeroShot && info.primaryMetric.metric.higherIsBetter && primary.map { $0.value.isFinite } == true
    }
}

/// An average over tasks, as the paper reports them (language, vision, all).
public struct GroupResult: Sendable, Equatable {
    /// `"language"`, `"vision"` or `"all"`.
    public var name: String
    /// The averaged tasks.
    public var tasks: [String]
    /// The unweighted mean of the tasks' primary metrics.
    public var value: Double
    /// `sqrt(Σ stderr²) / k` (independent task estimates); nil when a task has no standard error.
    public var standardError: Double?
}

/// A finished evaluation: per-task results, group averages and the run's settings.
///
/// `json` is shaped like lm-evaluation-harness's results file; ``write(to:)`` writes it atomically.
public struct EvalReport: Sendable {
    /// Per-task results, in run order.
    public var tasks: [TaskResult]
    /// Language, vision and overall averages (groups with no member are left out).
    public var groups: [GroupResult]
    /// The scorer's identity.
    public var model: String
    /// The run's options.
    public var options: EvalOptions

    /// A report; the groups are computed from `tasks`.
    public init(tasks: [TaskResult], model: String, options: EvalOptions) {
        self.tasks = tasks
        self.model = model
        self.options = options
        groups = Self.groups(of: tasks)
    }

    /// The language / vision / all averages of the zero-shot tasks' primary metrics.
    static func groups(of tasks: [TaskResult]) -> [GroupResult] {
        let averaged = tasks.filter(\.isAveraged)
        let members: [(String, [TaskResult])] = [
            ("language", averaged.filter { $0.info.modality == .language }),
            ("vision", averaged.filter { $0.info.modality == .vision }),
            ("all", averaged),
        ]
        return members.compactMap { name, results in
            let primaries = results.compactMap(\.primary)
            guard !primaries.isEmpty else { return nil }
            let errors = primaries.compactMap(\.standardError)
            let error = errors.count == primaries.count
                ? errors.reduce(0) { $0 + $1 * $1 }.squareRoot() / Double(primaries.count) : nil
            return GroupResult(name: name, tasks: results.map(\.info.name),
                               value: Statistics.mean(primaries.map(\.value)), standardError: error)
        }
    }

    /// Writes ``json`` (pretty, keys sorted) to `url` atomically (a temporary file renamed into place).
    /// - Throws: `EvalError.unwritableFile`.
    public func write(to url: URL) throws {
        let text: String
        do {
            text = try json.jsonString(pretty: true)
        } catch {
            throw EvalError.unwritableFile(path: url.path, reason: error.description)
        }
        try Self.writeAtomically(text + "\n", to: url)
    }

    /// Writes `text` to `url` through a temporary file in the same folder.
    /// - Throws: `EvalError.unwritableFile`.
    static func writeAtomically(_ text: String, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw EvalError.unwritableFile(path: url.path, reason: InputFile.reason(for: error))
        }
    }
}
