import Foundation
import MLANCore

/// A scored document: its metric items, and the record written to the per-sample log.
public struct ScoredSample: Sendable {
    /// Each metric's contribution, keyed `"metric,filter"`.
    public var items: [MetricKey: MetricItem]
    /// The per-sample log fields (responses, filtered answers, target, per-metric values).
    public var log: [String: JSONValue]
}

extension EvalInstance {
    /// Scores `responses` (one per request, in order) with `metrics`.
    /// - Throws: `EvalError.scorerResultCount` when the responses do not match the requests in number or
    ///   kind; `EvalError.invalidTaskDefinition` when a metric does not apply to this kind of request;
    ///   `EvalError.invalidInstance` for multiple choice without choices, or with gold outside them.
    public func score(_ responses: [Response], metrics: [MetricSpec], task: String) throws -> ScoredSample {
        guard responses.count == requests.count else {
            throw EvalError.scorerResultCount(kind: "response", expected: requests.count, received: responses.count)
        }
        var items: [MetricKey: MetricItem] = [:]
        var log: [String: JSONValue] = [:]
        func unsupported(_ metric: Metric, _ kind: String) -> EvalError {
            EvalError.invalidTaskDefinition(source: task, field: "metric_list",
                                            reason: "\(metric.rawValue) does not apply to \(kind) requests")
        }
        switch kind {
        case .multipleChoice(_, let choices, let gold):
            let results = try responses.map { response -> LoglikelihoodResult in
                guard case .loglikelihood(let result) = response else {
                    throw Self.kindMismatch("loglikelihood", response)
                }
                return result
            }
            guard !choices.isEmpty, choices.count == results.count, !gold.isEmpty,
                  gold.allSatisfy(choices.indices.contains) else {
                throw EvalError.invalidInstance(
                    task: task, document: id,
                    reason: "multiple choice needs one request per choice and gold indices among them; it has "
                        + "\(results.count) request(s), \(choices.count) choice(s), gold \(gold)")
            }
            let logprobs = results.map(\.logprob)
            let predicted = Self.argmax(logprobs)
            let normalized = zip(logprobs, choices).map { $0 / Double($1.unicodeScalars.count) }
            let predictedNorm = Self.argmax(normalized)
            for spec in metrics {
                let key = MetricKey(spec.metric)
                switch spec.metric {
                case .acc: items[key] = .value(gold.contains(predicted) ? 1 : 0)
                case .accNorm: items[key] = .value(gold.contains(predictedNorm) ? 1 : 0)
                case .precision, .recall, .f1, .yesRatio:
                    items[key] = .prediction(predicted: choices[predicted].lowercased(),
                                             gold: choices[gold[0]].lowercased())
                default: throw unsupported(spec.metric, "multiple-choice")
                }
            }
            log["choices"] = .array(choices.map(JSONValue.string))
            log["target"] = .array(gold.map(JSONValue.int))
            log["logprobs"] = .array(logprobs.map(JSONValue.double))
            log["is_greedy"] = .array(results.map { .bool($0.isGreedy) })
            log["predicted"] = .int(predicted)
        case .loglikelihood:
            guard case .loglikelihood(let result) = responses[0] else {
                throw Self.kindMismatch("loglikelihood", responses[0])
            }
            for spec in metrics {
                switch spec.metric {
                case .acc: items[MetricKey(.acc)] = .value(result.isGreedy ? 1 : 0)
                case .perplexity: items[MetricKey(.perplexity)] = .logprob(result.logprob)
                default: throw unsupported(spec.metric, "loglikelihood")
                }
            }
            log["logprob"] = .double(result.logprob)
            log["is_greedy"] = .bool(result.isGreedy)
        case .rolling(let prompt):
            guard case .loglikelihoodRolling(let logprob) = responses[0] else {
                throw Self.kindMismatch("loglikelihood_rolling", responses[0])
            }
            let text = prompt.transcript
            let words = Double(text.split(whereSeparator: { $0.isWhitespace }).count)
            let bytes = Double(text.utf8.count)
            for spec in metrics {
                switch spec.metric {
                case .wordPerplexity: items[MetricKey(.wordPerplexity)] = .weighted(logprob: logprob, units: words)
                case .bytePerplexity: items[MetricKey(.bytePerplexity)] = .weighted(logprob: logprob, units: bytes)
                case .bitsPerByte: items[MetricKey(.bitsPerByte)] = .weighted(logprob: logprob, units: bytes)
                default: throw unsupported(spec.metric, "loglikelihood_rolling")
                }
            }
            log["logprob"] = .double(logprob)
        case .generation(_, let choices, let targets, let filters):
            guard case .generation(let text) = responses[0] else {
                throw Self.kindMismatch("generation", responses[0])
            }
            var filtered: [String: JSONValue] = [:]
            for pipeline in filters {
                let answer = pipeline.apply([text], context: FilterContext(choices: choices))
                filtered[pipeline.name] = .string(answer)
                for spec in metrics {
                    let key = MetricKey(spec.metric, filter: pipeline.name)
                    switch spec.metric {
                    case .exactMatch:
                        items[key] = .value(ExactMatch.score(answer, targets: targets, ignoreCase: spec.ignoreCase,
                                                             ignorePunctuation: spec.ignorePunctuation))
                    case .vqaAccuracy: items[key] = .value(VQAAccuracy.score(answer, answers: targets))
                    case .precision, .recall, .f1, .yesRatio:
                        items[key] = .prediction(predicted: answer.lowercased(),
                                                 gold: targets.first?.lowercased() ?? "")
                    default: throw unsupported(spec.metric, "generate_until")
                    }
                }
            }
            if !choices.isEmpty { log["choices"] = .array(choices.map(JSONValue.string)) }
            log["response"] = .string(text)
            log["filtered"] = .object(filtered)
            log["target"] = .array(targets.map(JSONValue.string))
        }
        log["metrics"] = .object(Dictionary(uniqueKeysWithValues: items.map { key, item in
            (key.description, Self.logValue(item))
        }))
        return ScoredSample(items: items, log: log)
    }

    /// The index of the first maximum (NumPy's `argmax`); NaN never wins.
    static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for index in values.indices where values[index] > values[best] || values[best].isNaN { best = index }
        return best
    }

    private static func kindMismatch(_ expected: String, _ received: Response) -> EvalError {
        let name = switch received {
        case .loglikelihood: "loglikelihood"
        case .loglikelihoodRolling: "loglikelihood_rolling"
        case .generation: "generation"
        }
        return EvalError.wrongResponseKind(expected: expected, received: name)
    }

    private static func logValue(_ item: MetricItem) -> JSONValue {
        switch item {
        case .value(let value): return .double(value)
        case .logprob(let value): return .double(value)
        case .weighted(let logprob, let units): return ["logprob": .double(logprob), "units": .double(units)]
        case .prediction(let predicted, let gold): return ["predicted": .string(predicted), "gold": .string(gold)]
        }
    }
}
