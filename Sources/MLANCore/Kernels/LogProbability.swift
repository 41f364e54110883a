import Foundation

/// Log-probabilities read off one row of logits, as scoring needs them (lm-eval's `loglikelihood`).
public enum LogProbability {
    /// `log softmax(row)[index]` and whether `index` is the row's first argmax.
    ///
    /// The exponentials are `FastMath.exp` (≤ 2 ulp) of `row[i] - max`, summed in Double in a fixed order, so a
    /// row of 49 152 logits costs a few microseconds rather than a libm call per entry.
    public static func of(_ index: Int, in row: UnsafeBufferPointer<Float>) -> (logProbability: Double, isArgmax: Bool) {
        precondition(row.indices.contains(index), "LogProbability: index \(index) outside a row of \(row.count)")
        let x = row.baseAddress!
        let peak = FastMath.maximum(x, count: row.count)
        let total = FastMath.expAndSum(x, shift: -peak, into: nil, count: row.count)
        let isArgmax = row[index] == peak && !row[..<index].contains(peak)
        return (Double(row[index] - peak) - Foundation.log(total), isArgmax)
    }
}
