import MLANSupport
import Testing
@testable import MLANCore

/// `backward(watching:whenReady:)`: every watched leaf is reported once, its gradient already final when it is,
/// and the gradients are the bits plain `backward()` gives.
@Suite struct GradientReadyTests {
    /// Two linear layers with a ReLU between, the first weight used twice (x·W1 and again at the end), and one
    /// parameter the loss never reaches.
    static func loss(_ w1: Tensor, _ w2: Tensor, _ unused: Tensor) -> Tensor {
        var rng = SplitMix64(seed: 3)
        let x = Tensor(shape: [4, 3], scalars: (0..<12).map { _ in Float.random(in: -1...1, using: &rng) })
        let h = x.matmul(w1).relu()  // [4, 3]
        return (h.matmul(w2) + h.matmul(w1)).sum()
    }

    static func parameters(seed: UInt64) -> [Tensor] {
        var rng = SplitMix64(seed: seed)
        return (0..<3).map { _ in
            Tensor(shape: [3, 3], scalars: (0..<9).map { _ in Float.random(in: -1...1, using: &rng) }).requiringGradient()
        }
    }

    @Test func eachWatchedLeafIsReportedOnceWithItsFinalGradient() {
        let plain = Self.parameters(seed: 1)
        Self.loss(plain[0], plain[1], plain[2]).backward()
        let watched = Self.parameters(seed: 1)
        var reports: [Int] = []
        var atReport: [Int: [Float]] = [:]
        Self.loss(watched[0], watched[1], watched[2]).backward(watching: watched) { i in
            reports.append(i)
            atReport[i] = watched[i].grad?.scalars
        }
        #expect(reports.sorted() == [0, 1, 2])
        #expect(reports.last == 2, "the unreached leaf is reported when the pass ends")
        #expect(reports.first == 1, "w2's gradient is final before w1's second use is")
        for i in 0..<2 {
            #expect(atReport[i] == plain[i].grad?.scalars)
            #expect(watched[i].grad?.scalars == plain[i].grad?.scalars)
        }
        #expect(watched[2].grad == nil && atReport[2] == nil)
    }

    @Test func setGradReplacesAndClearsTheGradient() {
        let w = Self.parameters(seed: 2)[0]
        w.setGrad(Tensor(shape: [3, 3], scalars: Array(repeating: 2, count: 9)))
        #expect(w.grad?.scalars == Array(repeating: 2, count: 9))
        w.setGrad(nil)
        #expect(w.grad == nil)
    }
}
