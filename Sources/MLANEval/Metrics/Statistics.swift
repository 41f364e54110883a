import Foundation
import MLANCore

/// The statistics behind aggregated metrics and their standard errors, computed as lm-evaluation-harness does.
package enum Statistics {
    /// The arithmetic mean; NaN for an empty array.
    package static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (`ddof = 1`); nil for fewer than two values.
    package static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1 else { return nil }
        let mu = mean(values)
        let sum = values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) }
        return (sum / Double(values.count - 1)).squareRoot()
    }

    /// lm-eval's `mean_stderr`: `sqrt(var(ddof=1) / n)`; for 0/1 values this is the binomial sample standard
    /// error. Nil for fewer than two values (reported as `"N/A"`).
    package static func meanStandardError(_ values: [Double]) -> Double? {
        sampleStandardDeviation(values).map { $0 / Double(values.count).squareRoot() }
    }

    /// The bootstrap standard error of `statistic`: the sample standard deviation of the statistic over
    /// `iterations` resamples (with replacement, same size) drawn by a SplitMix64 generator seeded with
    /// `seed`. Nil for fewer than two items or iterations, or when the statistic is not finite in a resample
    /// more than half the time.
    package static func bootstrapStandardError<Item>(_ items: [Item], iterations: Int, seed: UInt64,
                                                    statistic: ([Item]) -> Double) -> Double? {
        guard items.count > 1, iterations > 1 else { return nil }
        var generator = SplitMix64(seed: seed)
        var estimates: [Double] = []
        estimates.reserveCapacity(iterations)
        var resample: [Item] = []
        resample.reserveCapacity(items.count)
        for _ in 0..<iterations {
            resample.removeAll(keepingCapacity: true)
            for _ in 0..<items.count { resample.append(items[generator.nextInt(below: items.count)]) }
            let value = statistic(resample)
            if value.isFinite { estimates.append(value) }
        }
        guard estimates.count * 2 > iterations else { return nil }
        return sampleStandardDeviation(estimates)
    }
}
