import Foundation
import MLANCore

/// How the next token is chosen from logits: greedy, or seeded sampling with temperature, top-k and top-p.
public struct Sampler: Sendable {
    /// 0 means greedy (argmax).
    public var temperature: Float
    /// Keep only the k most likely tokens (nil or 0: all).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches p (nil or 1: all).
    public var topP: Float?
    /// The generator; its state advances with each sampled token.
    public var rng: SplitMix64

    /// Greedy decoding.
    public static let greedy = Sampler(checkedTemperature: 0, topK: nil, topP: nil, seed: 0)

    /// A sampler with the given settings (from flags or a task file).
    /// - Throws: `ModelError.invalidSetting` for a negative or non-finite temperature, a negative top-k, or a
    ///   top-p outside [0, 1] (as transformers' `TopPLogitsWarper`).
    public init(temperature: Float, topK: Int? = nil, topP: Float? = nil, seed: UInt64 = 0) throws {
        guard temperature >= 0, temperature.isFinite else {
            throw ModelError.invalidSetting(name: "temperature", value: "\(temperature)", reason: "must be >= 0 (0: greedy)")
        }
        if let topK, topK < 0 {
            throw ModelError.invalidSetting(name: "top-k", value: "\(topK)", reason: "must be >= 0 (0: all tokens)")
        }
        if let topP, !(topP >= 0 && topP <= 1) {
            throw ModelError.invalidSetting(name: "top-p", value: "\(topP)", reason: "must be in [0, 1]")
        }
        self.init(checkedTemperature: temperature, topK: topK, topP: topP, seed: seed)
    }

    private init(checkedTemperature temperature: Float, topK: Int?, topP: Float?, seed: UInt64) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        rng = SplitMix64(seed: seed)
    }

    /// The next token id from one position's logits (temperature, then top-k, then top-p, as Hugging Face).
    public mutating func next(from logits: ArraySlice<Float>) -> Int {
        let base = logits.startIndex
        guard temperature > 0 else {
            var best = base
            for i in logits.indices where logits[i] > logits[best] { best = i }
            return best - base
        }
        var candidates = logits.indices.map { (id: $0 - base, logit: Double(logits[$0]) / Double(temperature)) }
        candidates.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
        if let k = topK, k > 0, k < candidates.count { candidates.removeSubrange(k...) }
        let peak = candidates[0].logit
        var weights = candidates.map { Foundation.exp($0.logit - peak) }
        let total = weights.reduce(0, +)
        if let p = topP, p < 1 {
            var cumulative = 0.0, keep = 0
            while keep < weights.count {
                cumulative += weights[keep] / total
                keep += 1
                if cumulative >= Double(p) { break }
            }
            weights.removeSubrange(keep...)
            candidates.removeSubrange(keep...)
        }
        let draw = rng.nextUnitDouble() * weights.reduce(0, +)
        var running = 0.0
        for (i, w) in weights.enumerated() {
            running += w
            if draw < running { return candidates[i].id }
        }
        return candidates[candidates.count - 1].id
    }
}
