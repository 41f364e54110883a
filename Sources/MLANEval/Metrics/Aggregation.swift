import Foundation

/// A metric aggregated over a task's documents.
public struct AggregatedMetric: Sendable, Equatable {
    /// The corpus-level value.
    public var value: Double
    /// Its standard error; nil when it cannot be estimated (fewer than two documents), reported as `"N/A"`.
    public var standardError: Double?

    /// A value with its standard error.
    public init(value: Double, standardError: Double?) {
        self.value = value
        self.standardError = standardError
    }
}

/// Turns per-document ``MetricItem``s into corpus values with standard errors.
public enum Aggregation {
    /// Aggregates `items` of `metric`: means get lm-eval's `mean_stderr`; every other metric a seeded
    /// bootstrap with `bootstrapIterations` resamples.
    /// - Throws: `EvalError.metricItemMismatch` when an item is not of the kind `metric` aggregates (a value
    ///   for means, a log-probability for perplexity, a weighted log-probability for word and byte
    ///   perplexity, a prediction for the POPE metrics).
    public static func aggregate(_ metric: Metric, items: [MetricItem], bootstrapIterations: Int,
                                 seed: UInt64) throws -> AggregatedMetric {
        func bootstrapped<Item>(_ typed: [Item], _ statistic: ([Item]) -> Double) -> AggregatedMetric {
            AggregatedMetric(value: statistic(typed),
                             standardError: Statistics.bootstrapStandardError(typed, iterations: bootstrapIterations,
                                                                              seed: seed, statistic: statistic))
        }
        func mismatch(_ expected: String, _ item: MetricItem) -> EvalError {
            EvalError.metricItemMismatch(metric: metric.rawValue, expected: expected, received: item.kindName)
        }
        switch metric {
        case .acc, .accNorm, .exactMatch, .vqaAccuracy:
            let values = try items.map { item -> Double in
                guard case .value(let value) = item else { throw mismatch("value", item) }
                return value
            }
            return AggregatedMetric(value: Statistics.mean(values), standardError: Statistics.meanStandardError(values))
        case .perplexity:
            let logprobs = try items.map { item -> Double in
                guard case .logprob(let value) = item else { throw mismatch("logprob", item) }
                return value
            }
            return bootstrapped(logprobs) { exp(-Statistics.mean($0)) }
        case .wordPerplexity, .bytePerplexity, .bitsPerByte:
            let weighted = try items.map { item -> (logprob: Double, units: Double) in
                guard case .weighted(let logprob, let units) = item else { throw mismatch("weighted", item) }
                return (logprob, units)
            }
            return bootstrapped(weighted) { sample in
                let logprob = sample.reduce(0) { $0 + $1.logprob }, units = sample.reduce(0) { $0 + $1.units }
                return metric == .bitsPerByte ? -logprob / units / log(2) : exp(-logprob / units)
            }
        case .precision, .recall, .f1, .yesRatio:
            let predictions = try items.map { item -> (predicted: String, gold: String) in
                guard case .prediction(let predicted, let gold) = item else { throw mismatch("prediction", item) }
                return (predicted, gold)
            }
            return bootstrapped(predictions) { sample in
                let counts = PopeCounts(sample)
                return switch metric {
                case .precision: counts.precision
                case .recall: counts.recall
                case .f1: counts.f1
                default: counts.yesRatio
                }
            }
        }
    }
}

extension MetricItem {
    /// The item's kind, for error messages: `value`, `logprob`, `weighted` or `prediction`.
    public var kindName: String {
        switch self {
        case .value: "value"
        case .logprob: "logprob"
        case .weighted: "weighted"
        case .prediction: "prediction"
        }
    }
}

/// POPE's confusion counts with `yes` as the positive label (lmms-eval's aggregation): a prediction that is
/// neither `yes` nor `no` is wrong, counts in no cell except as a non-`yes` prediction.
struct PopeCounts {
    var truePositives = 0, falsePositives = 0, falseNegatives = 0, yesPredictions = 0, total = 0

    init(_ predictions: [(predicted: String, gold: String)]) {
        for (predicted, gold) in predictions {
            total += 1
            if predicted == "yes" { yesPredictions += 1 }
            if gold == "yes" && predicted == "yes" { truePositives += 1 }
            if gold == "no" && predicted == "yes" { falsePositives += 1 }
            if gold == "yes" && predicted == "no" { falseNegatives += 1 }
        }
    }

    /// True positives over predicted positives.
    var precision: Double { Self.ratio(truePositives, truePositives + falsePositives) }
    /// True positives over actual positives.
    var recall: Double { Self.ratio(truePositives, truePositives + falseNegatives) }
    /// The harmonic mean of precision and recall (0 when both are 0).
    var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
    /// The fraction of predictions that are `yes`.
    var yesRatio: Double { Self.ratio(yesPredictions, total) }

    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator > 0 ? Double(numerator) / Double(denominator) : 0
    }
}
