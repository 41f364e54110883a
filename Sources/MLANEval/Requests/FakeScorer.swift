import Foundation
import MLANSupport

/// A deterministic stand-in for a model, for testing the harness: by default it scores with a seeded hash of
/// the prompt transcript and continuation; each rule can be replaced by a closure.
///
/// ```swift
/// let always = FakeScorer(generate: { _ in "B\"" })          // answers B to every generation request
/// let seeded = FakeScorer(seed: 42)                           // hash-based, reproducible scores
/// ```
package struct FakeScorer: Scorer, Sendable {
    /// Reported as the model name.
    package var identity: String
    private let loglikelihoodRule: @Sendable (LoglikelihoodRequest) -> LoglikelihoodResult
    private let rollingRule: @Sendable (Prompt) -> Double
    private let generationRule: @Sendable (GenerationRequest) -> String

    /// A scorer whose answers are a function of `seed` and the request only.
    ///
    /// Log-probabilities lie in (-10, 0]; a continuation is greedy when its hash is odd; generation returns
    /// one of `yes`, `no`, `A`, `B`, `C`, `D`; a rolling score is -0.5 per Unicode scalar plus a hashed term.
    package init(seed: UInt64 = 0, identity: String? = nil) {
        self.init(identity: identity ?? "fake-scorer(seed: \(seed))",
                  loglikelihood: { request in
                      let hash = Self.hash(seed, request.context.transcript, request.continuation)
                      return LoglikelihoodResult(logprob: -Double(hash % 10_000) / 1000, isGreedy: hash & 1 == 1)
                  },
                  rolling: { prompt in
                      -0.5 * Double(prompt.transcript.unicodeScalars.count)
                          - Double(Self.hash(seed, prompt.transcript, "") % 1000) / 1000
                  },
                  generate: { request in
                      let answers = ["yes", "no", "A", "B", "C", "D"]
                      return answers[Int(Self.hash(seed, request.prompt.transcript, "") % UInt64(answers.count))]
                  })
    }

    /// A scorer driven by closures; unspecified rules fall back to the seeded hash rules of `init(seed: 0)`.
    package init(identity: String = "fake-scorer",
                loglikelihood: (@Sendable (LoglikelihoodRequest) -> LoglikelihoodResult)? = nil,
                rolling: (@Sendable (Prompt) -> Double)? = nil,
                generate: (@Sendable (GenerationRequest) -> String)? = nil) {
        self.identity = identity
        if let loglikelihood, let rolling, let generate {
            loglikelihoodRule = loglikelihood
            rollingRule = rolling
            generationRule = generate
        } else {
            let fallback = FakeScorer(seed: 0)
            loglikelihoodRule = loglikelihood ?? fallback.loglikelihoodRule
            rollingRule = rolling ?? fallback.rollingRule
            generationRule = generate ?? fallback.generationRule
        }
    }

    /// Scores each request with the log-likelihood rule.
    package func loglikelihood(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResult] {
        requests.map(loglikelihoodRule)
    }

    /// Scores each prompt with the rolling rule.
    package func loglikelihoodRolling(_ prompts: [Prompt]) throws -> [Double] {
        prompts.map(rollingRule)
    }

    /// Answers each request with the generation rule, cut before any stop string.
    package func generate(_ requests: [GenerationRequest]) throws -> [String] {
        requests.map { $0.truncated(generationRule($0)) }
    }

    /// FNV-1a (64-bit) over the seed, the transcript and the continuation: stable across runs and machines.
    static func hash(_ seed: UInt64, _ transcript: String, _ continuation: String) -> UInt64 {
        var hash = FNV1a()
        hash.mix(seed)
        hash.mix(transcript.utf8)
        hash.mix([0])
        hash.mix(continuation.utf8)
        return hash.value
    }
}
