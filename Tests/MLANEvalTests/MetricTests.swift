import Foundation
import Testing
@testable import MLANEval

struct MetricTests {
    @Test func meanStandardErrorIsTheSampleStandardDeviationOverRootN() throws {
        // [1, 0, 1, 1]: mean 0.75, var(ddof=1) = (3 × 0.0625 + 0.5625) / 3 = 0.25, stderr = 0.5 / 2.
        let result = try Aggregation.aggregate(.acc, items: [1, 0, 1, 1].map { .value($0) }, bootstrapIterations: 0, seed: 0)
        #expect(result.value == 0.75)
        #expect(result.standardError == 0.25)
    }

    @Test func meanOfOneDocumentHasNoStandardError() throws {
        #expect(try Aggregation.aggregate(.exactMatch, items: [.value(1)], bootstrapIterations: 10, seed: 0).standardError == nil)
    }

    @Test func accPicksTheHighestLogprobAndAccNormDividesByUnicodeScalarCount() throws {
        // "e\u{301}" is one Character but two Unicode scalars, as Python's len counts it.
        let context = Prompt(text: "Q:")
        let choices = ["ab", "abcde\u{301}"]  // 2 and 6 scalars
        let instance = EvalInstance(id: "0", kind: .multipleChoice(
            choices.map { LoglikelihoodRequest(context: context, continuation: " " + $0) }, choices: choices, gold: [1]))
        let scored = try instance.score([.loglikelihood(.init(logprob: -3, isGreedy: false)),
                                         .loglikelihood(.init(logprob: -5.4, isGreedy: false))],
                                        metrics: [MetricSpec(.acc), MetricSpec(.accNorm)], task: "t")
        #expect(scored.items[MetricKey(.acc)] == .value(0))       // -3 > -5.4
        #expect(scored.items[MetricKey(.accNorm)] == .value(1))   // -1.5 < -0.9
    }

    @Test func argmaxTakesTheFirstOfTiedMaxima() {
        #expect(EvalInstance.argmax([-1, -0.5, -0.5]) == 1)
    }

    @Test func loglikelihoodGivesGreedyAccuracyAndPerplexity() throws {
        let items: [MetricItem] = [.logprob(-1), .logprob(-3)]
        let perplexity = try Aggregation.aggregate(.perplexity, items: items, bootstrapIterations: 50, seed: 1)
        #expect(abs(perplexity.value - exp(2)) < 1e-12)
        #expect(perplexity.standardError != nil)
        let instance = EvalInstance(id: "0", kind: .loglikelihood(LoglikelihoodRequest(context: Prompt(text: "a"),
                                                                                       continuation: " b")))
        let scored = try instance.score([.loglikelihood(.init(logprob: -2, isGreedy: true))],
                                        metrics: [MetricSpec(.perplexity), MetricSpec(.acc)], task: "t")
        #expect(scored.items[MetricKey(.acc)] == .value(1))
        #expect(scored.items[MetricKey(.perplexity)] == .logprob(-2))
    }

    @Test func rollingPerplexitiesWeighByWordsAndBytes() throws {
        let instance = EvalInstance(id: "0", kind: .rolling(Prompt(text: "two words")))  // 2 words, 9 bytes
        let scored = try instance.score([.loglikelihoodRolling(-9)],
                                        metrics: [MetricSpec(.wordPerplexity), MetricSpec(.bitsPerByte)], task: "t")
        let words = try Aggregation.aggregate(.wordPerplexity, items: [scored.items[MetricKey(.wordPerplexity)]!],
                                          bootstrapIterations: 0, seed: 0)
        #expect(abs(words.value - exp(4.5)) < 1e-9)
        let bits = try Aggregation.aggregate(.bitsPerByte, items: [scored.items[MetricKey(.bitsPerByte)]!],
                                         bootstrapIterations: 0, seed: 0)
        #expect(abs(bits.value - 1 / log(2)) < 1e-12)
    }

    @Test func popeMetricsCountYesAsPositive() throws {
        // (predicted, gold): two true positives, one false negative, one false positive, one true negative, one other.
        let pairs = [("yes", "yes"), ("yes", "yes"), ("no", "yes"), ("yes", "no"), ("no", "no"), ("maybe", "no")]
        let items = pairs.map { MetricItem.prediction(predicted: $0.0, gold: $0.1) }
        func value(_ metric: Metric) throws -> Double {
            try Aggregation.aggregate(metric, items: items, bootstrapIterations: 20, seed: 3).value
        }
        #expect(try value(.precision) == 2.0 / 3.0)  // tp 2, fp 1
        #expect(try value(.recall) == 2.0 / 3.0)     // tp 2, fn 1
        #expect(abs(try value(.f1) - 2.0 / 3.0) < 1e-12)
        #expect(try value(.yesRatio) == 3.0 / 6.0)
    }

    @Test func f1WithoutPositivePredictionsIsZero() throws {
        let items = [MetricItem.prediction(predicted: "no", gold: "yes"), .prediction(predicted: "no", gold: "no")]
        #expect(try Aggregation.aggregate(.f1, items: items, bootstrapIterations: 0, seed: 0).value == 0)
    }

    @Test func bootstrapIsReproducibleAndCloseToTheAnalyticStandardErrorForAMean() {
        let values = (0..<200).map { Double($0 % 3 == 0 ? 1 : 0) }
        let analytic = Statistics.meanStandardError(values)!
        let first = Statistics.bootstrapStandardError(values, iterations: 2000, seed: 9, statistic: Statistics.mean)!
        let again = Statistics.bootstrapStandardError(values, iterations: 2000, seed: 9, statistic: Statistics.mean)!
        let other = Statistics.bootstrapStandardError(values, iterations: 2000, seed: 10, statistic: Statistics.mean)!
        #expect(first == again)
        #expect(first != other)
        #expect(abs(first - analytic) / analytic < 0.1)
    }

    @Test func exactMatchHonoursCaseAndPunctuationOptions() {
        #expect(ExactMatch.score("Yes.", targets: ["yes"], ignoreCase: true, ignorePunctuation: true) == 1)
        #expect(ExactMatch.score("Yes.", targets: ["yes"], ignoreCase: true, ignorePunctuation: false) == 0)
        #expect(ExactMatch.score("Yes", targets: ["yes"], ignoreCase: false, ignorePunctuation: true) == 0)
        #expect(ExactMatch.score("B", targets: ["A", "B"], ignoreCase: false, ignorePunctuation: false) == 1)
        #expect(ExactMatch.score("B", targets: [], ignoreCase: true, ignorePunctuation: true) == 0)
    }

    @Test func vqaAccuracyAveragesOverLeaveOneOutAnnotatorSubsets() {
        // 2 of 10 said yes: leaving out a yes-annotator leaves 1 match (1/3), leaving out a no-annotator 2 (2/3).
        let answers = Array(repeating: "yes", count: 2) + Array(repeating: "no", count: 8)
        #expect(abs(VQAAccuracy.score("yes", answers: answers) - (2.0 / 3 + 8 * 2.0 / 3) / 10) < 1e-12)
        #expect(VQAAccuracy.score("no", answers: answers) == 1)
        #expect(VQAAccuracy.score("maybe", answers: answers) == 0)
    }

    @Test func vqaAccuracyNormalisesThePredictionLikeTheOfficialScript() {
        let answers = Array(repeating: "2", count: 10)
        #expect(VQAAccuracy.score("Two.", answers: answers) == 1)
        #expect(VQAAccuracy.processDigitsAndArticles("The dog isnt here") == "dog isn’t here")
        #expect(VQAAccuracy.processPunctuation("yes, it is.") == "yes it is")
        #expect(VQAAccuracy.processPunctuation("1,000 cars") == "1000 cars")
        #expect(VQAAccuracy.processPunctuation("3.5") == "3.5")
        #expect(VQAAccuracy.processPunctuation("red/blue") == "red blue")
    }

    @Test func metricKeysPrintAsLmEvalDoes() {
        #expect(MetricKey(.accNorm).description == "acc_norm,none")
        #expect(MetricKey(.exactMatch, filter: "mlan-choice").stderrDescription == "exact_match_stderr,mlan-choice")
    }

    @Test func metricsThatDoNotFitTheRequestKindAreRejected() {
        let instance = EvalInstance(id: "0", kind: .loglikelihood(LoglikelihoodRequest(context: Prompt(text: "a"),
                                                                                       continuation: " b")))
        #expect(throws: EvalError.self) {
            try instance.score([.loglikelihood(.init(logprob: -1, isGreedy: true))], metrics: [MetricSpec(.f1)], task: "t")
        }
        #expect(throws: EvalError.wrongResponseKind(expected: "loglikelihood", received: "generation")) {
            try instance.score([.generation("b")], metrics: [MetricSpec(.acc)], task: "t")
        }
    }
}
