import Foundation

/// The package's one seeded generator (SplitMix64): same seed, same sequence, on every machine and Swift version.
///
/// Its whole state is one `UInt64`, so checkpoints and manifests save and restore it exactly. Bounded draws,
/// shuffles and samples are MLAN's own (rejection sampling, Fisher–Yates; see `RandomNumberGenerator`'s
/// extension below), not the standard library's, whose algorithms may change between releases.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The current state; restoring it resumes the sequence where it was.
    public var state: UInt64

    /// A generator whose state starts at `seed`.
    public init(seed: UInt64) { state = seed }

    /// A generator for one named purpose under `seed` (e.g. `"source/alpaca"`), so adding a source or a use
    /// does not change the draws of the others. Mixes the FNV-1a hash of `label`'s UTF-8 bytes into the seed.
    public init(seed: UInt64, label: String) {
        var hash = FNV1a()
        hash.mix(label.utf8)
        var mixer = SplitMix64(seed: seed ^ hash.value)
        state = mixer.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform integer in `0..<bound`, unbiased: draws below `2^64 mod bound` are rejected.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        let threshold = (0 &- range) % range
        while true {
            let draw = next()
            if draw >= threshold { return Int(draw % range) }
        }
    }

    /// Shuffles `array` in place (Fisher–Yates, from the last element down). Every shuffle in MLAN is this one.
    public mutating func shuffle<Element>(_ array: inout [Element]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, nextInt(below: i + 1))
        }
    }

    /// `count` distinct elements of `array`, uniformly chosen, in draw order (a partial Fisher–Yates).
    public mutating func sample<Element>(_ array: [Element], count: Int) -> [Element] {
        precondition(count >= 0 && count <= array.count, "cannot sample \(count) of \(array.count)")
        var pool = array
        for i in 0..<count { pool.swapAt(i, i + nextInt(below: pool.count - i)) }
        return Array(pool.prefix(count))
    }

    /// A uniform Double in [0, 1) from the top 53 bits (platform-independent, unlike `Double.random(in:)`).
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal Double (Box–Muller on two unit draws; deterministic bit for bit).
    public mutating func nextStandardNormal() -> Double {
        let u1 = 1.0 - nextUnitDouble()  // (0, 1]
        let u2 = nextUnitDouble()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * .pi * u2)
    }
}
