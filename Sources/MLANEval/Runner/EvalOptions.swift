import Foundation
import MLANCore

/// How a run selects documents, batches requests, estimates errors and logs.
public struct EvalOptions: Sendable {
    /// lm-eval's `--limit`: the first documents in file order.
    public enum Limit: Sendable, Equatable, CustomStringConvertible {
        /// The first `n` documents.
        case count(Int)
        /// The first `ceil(fraction × total)` documents (`0 < fraction < 1`).
        case fraction(Double)

        /// A one-line explanation for logs and error messages.
        public var description: String {
            switch self {
            case .count(let count): String(count)
            case .fraction(let fraction): String(fraction)
            }
        }

        /// Parses `--limit`: an integer count, or a fraction below 1 (`0.1`).
        /// - Throws: `EvalError.invalidOptions` for anything else.
        public init(parsing text: String) throws {
            if let count = Int(text), count >= 0 {
                self = .count(count)
            } else if let fraction = Double(text), fraction > 0, fraction < 1 {
                self = .fraction(fraction)
            } else {
                throw EvalError.invalidOptions("--limit takes a count (e.g. 100) or a fraction below 1, not \"\(text)\"")
            }
        }
    }

    /// Evaluate only the first documents (mutually exclusive with ``sampleSize``).
    public var limit: Limit?
    /// Evaluate a seeded random subset of this many documents, kept in file order.
    public var sampleSize: Int?
    /// Seeds the subset and the bootstrap.
    public var seed: UInt64
    /// Documents per scorer call (all of a document's requests stay in one call).
    public var batchSize: Int
    /// Bootstrap resamples for the standard errors of non-mean metrics (F1, perplexity, …).
    public var bootstrapIterations: Int
    /// Where to write `samples_{task}.jsonl`; nil writes no per-sample logs.
    public var sampleLogDirectory: URL?
    /// The training manifest for held-out checks; nil skips them.
    public var trainingManifest: TrainingManifest?
    /// Report tasks that were trained on (marked `zero_shot: false`, left out of the averages) instead of
    /// refusing to run.
    public var allowSeenTasks: Bool
    /// The conversation template the scorer renders with (recorded in the report).
    public var template: String?

    /// Options; the defaults evaluate everything in batches of 16 with 1000 bootstrap resamples.
    public init(limit: Limit? = nil, sampleSize: Int? = nil, seed: UInt64 = 1234, batchSize: Int = 16,
                bootstrapIterations: Int = 1000, sampleLogDirectory: URL? = nil,
                trainingManifest: TrainingManifest? = nil, allowSeenTasks: Bool = false, template: String? = nil) {
        self.limit = limit
        self.sampleSize = sampleSize
        self.seed = seed
        self.batchSize = batchSize
        self.bootstrapIterations = bootstrapIterations
        self.sampleLogDirectory = sampleLogDirectory
        self.trainingManifest = trainingManifest
        self.allowSeenTasks = allowSeenTasks
        self.template = template
    }

    /// The positions of the documents to evaluate among `total`, ascending.
    /// - Throws: `EvalError.invalidOptions` when both a limit and a sample size are set, or either is negative.
    public func selectedIndices(total: Int) throws -> [Int] {
        switch (limit, sampleSize) {
        case (.some, .some):
            throw EvalError.invalidOptions("--limit and --sample are mutually exclusive")
        case (.count(let count), nil):
            guard count >= 0 else { throw EvalError.invalidOptions("--limit must not be negative") }
            return Array(0..<min(count, total))
        case (.fraction(let fraction), nil):
            return Array(0..<min(total, Int((Double(total) * fraction).rounded(.up))))
        case (nil, .some(let size)):
            guard size >= 0 else { throw EvalError.invalidOptions("--sample must not be negative") }
            var generator = SplitMix64(seed: seed)
            return generator.sample(Array(0..<total), count: min(size, total)).sorted()
        case (nil, nil):
            return Array(0..<total)
        }
    }
}
