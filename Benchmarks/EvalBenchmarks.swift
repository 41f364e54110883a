import Foundation
import MLANCore
import MLANData
import MLANEval
import MLANModel

/// Zero-shot evaluation throughput of SmolLM2-135M-Instruct through the harness: documents per second and the
/// share of the wall time spent outside the model (the harness around the scorer, plus the adapter's
/// tokenization inside it).
enum EvalBenchmarks {
    static let suite = BenchmarkSuite(name: "eval", run: run)

    /// The shared data folder: `$MLAN_SHARED/data`, else `../shared/data` beside the repository.
    static let dataDirectory: URL = {
        if let shared = ProcessInfo.processInfo.environment["MLAN_SHARED"], !shared.isEmpty {
            return URL(fileURLWithPath: shared).appendingPathComponent("data")
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data")
    }()

    static func run() {
        let modelPath = ModelBenchmarks.modelPath
        guard FileManager.default.fileExists(atPath: modelPath.path) else {
            print("Eval: skipped, \(modelPath.path) is missing (run `make models`)\n")
            return
        }
        guard FileManager.default.fileExists(atPath: dataDirectory.path) else {
            print("Eval: skipped, no data folder at \(dataDirectory.path) (set MLAN_SHARED)\n")
            return
        }
        do {
            let loadStart = DispatchTime.now().uptimeNanoseconds
            // `eval:f32` etc. picks the weight form; native (the Q4_1 blocks as stored) by default.
            let form = CommandLine.arguments.filter { $0.hasPrefix("eval:") }.compactMap { WeightForm(rawValue: String($0.dropFirst(5))) }
                .first ?? .native
            let loaded = try LanguageModelLoader.load(from: modelPath, weights: form)
            let loadSeconds = seconds(since: loadStart)
            print("Eval, SmolLM2-135M-Instruct (GGUF Q4_1, --weights \(form.rawValue)), \(BLAS.threadCount) threads, load \(format(loadSeconds, 2)) s")
            print(cell("task (protocol, documents)", 40) + cell("docs/s", 9) + cell("req/s", 9) + cell("wall s", 9)
                + cell("harness", 9) + cell("tokenize", 10) + "outside model")
            let options = BuiltinTaskOptions(dataDirectory: dataDirectory)
            let hellaswag = try measure(task: try BuiltinTasks.task(named: "hellaswag", protocol: .lmEval, options: options),
                                        documents: 200, loaded: loaded, template: nil)
            let arc = try measure(task: try BuiltinTasks.task(named: "arc_easy", protocol: .mlan, options: options),
                                  documents: 100, loaded: loaded, template: "chatml")
            print("  vs lm-evaluation-harness + transformers float32 (BENCHMARKS.md): hellaswag 200 documents in 96 s "
                + "incl. load → ×\(format(96 / (hellaswag + loadSeconds), 2)) (this run incl. load: "
                + "\(format(hellaswag + loadSeconds)) s); arc_easy mlan has no peer figure (\(format(arc)) s)\n")
        } catch {
            print("Eval: failed: \(error)\n")
        }
    }

    /// Runs the first `documents` of `task`, prints one row, and returns the wall time of the run in seconds.
    static func measure(task: any EvalTask, documents: Int, loaded: LoadedLanguageModel, template: String?) throws -> Double {
        let conversation = try template.map { try BuiltinTemplates.named($0) }
        let scorer = TimedScorer(LanguageModelScorer(model: loaded.model, tokenizer: loaded.tokenizer,
                                                     template: conversation, identity: "SmolLM2"))
        let runner = EvalRunner(scorer: scorer, options: EvalOptions(limit: .count(documents)),
                                progress: ProgressReporter(mode: .silent))
        let start = DispatchTime.now().uptimeNanoseconds
        let report = try runner.run([task])
        let wall = seconds(since: start)
        // A freshly built tokenizer, so its word cache starts as cold as the run's did.
        let coldTokenizer = try BPETokenizer(gguf: try GGUFFile.load(from: loaded.url))
        let tokenize = try tokenizationSeconds(scorer, tokenizer: coldTokenizer, template: conversation)
        let harness = max(0, wall - scorer.seconds)
        let counted = report.tasks.first?.effectiveCount ?? documents
        let name = "\(task.name) (\(task.info.protocolName), \(counted))"
        print(cell(name, 40) + cell(format(Double(counted) / wall, 2), 9) + cell(format(Double(scorer.requestCount) / wall), 9)
            + cell(format(wall), 9) + cell(percent(harness / wall), 9) + cell(percent(tokenize / wall), 10)
            + percent((harness + tokenize) / wall))
        return wall
    }

    /// The time the adapter's tokenization of every request `scorer` saw takes: the rendered context alone and
    /// with its continuation (log-likelihood), or the prompt (generation), as `LanguageModelScorer` encodes them.
    static func tokenizationSeconds(_ scorer: TimedScorer, tokenizer: any Tokenizer,
                                    template: (any ConversationTemplate)?) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        var tokens = 0
        for request in scorer.loglikelihoodRequests {
            let context = try request.context.render(template: template)
            tokens += tokenizer.encode(context, addSpecialTokens: false).count
            tokens += tokenizer.encode(context + request.continuation, addSpecialTokens: false).count
        }
        for request in scorer.generationRequests {
            tokens += tokenizer.encode(try request.prompt.render(template: template), addSpecialTokens: false).count
        }
        precondition(tokens > 0, "the run sent no requests")
        return seconds(since: start)
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    static func percent(_ share: Double) -> String { format(100 * share, 2) + " %" }
}

/// A scorer that forwards to another and adds up the wall time spent in it, keeping the requests it saw.
final class TimedScorer: Scorer {
    let base: any Scorer
    /// Seconds spent inside `base`.
    private(set) var seconds = 0.0
    private(set) var loglikelihoodRequests: [LoglikelihoodRequest] = []
    private(set) var generationRequests: [GenerationRequest] = []
    private(set) var requestCount = 0

    init(_ base: any Scorer) { self.base = base }

    var identity: String { base.identity }

    func loglikelihood(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResult] {
        loglikelihoodRequests += requests
        requestCount += requests.count
        return try timed { try base.loglikelihood(requests) }
    }

    func loglikelihoodRolling(_ prompts: [Prompt]) throws -> [Double] {
        requestCount += prompts.count
        return try timed { try base.loglikelihoodRolling(prompts) }
    }

    func generate(_ requests: [GenerationRequest]) throws -> [String] {
        generationRequests += requests
        requestCount += requests.count
        return try timed { try base.generate(requests) }
    }

    private func timed<R>(_ body: () throws -> R) rethrows -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }
}
