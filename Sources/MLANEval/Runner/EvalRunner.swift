import Foundation
import MLANCore
import MLANDistributed

/// Runs tasks against a scorer: held-out checks, document selection, batched requests, scoring,
/// aggregation with standard errors, per-sample logs and progress.
///
/// ```swift
/// let tasks = try BuiltinTasks.tasks(named: ["boolq", "arc_easy"], protocol: .lmEval,
///                                    options: BuiltinTaskOptions(dataDirectory: data))
/// let report = try EvalRunner(scorer: scorer, options: EvalOptions(limit: .count(100))).run(tasks)
/// try report.write(to: URL(fileURLWithPath: "results.json"))
/// print(report.markdown)
/// ```
public struct EvalRunner {
    /// The model.
    public let scorer: any Scorer
    /// Selection, batching, bootstrap, logging and held-out settings.
    public var options: EvalOptions
    /// Where progress goes.
    public let progress: ProgressReporter
    /// The processes sharing the work (`mpirun -np N`): each scores every N-th batch of documents, and every
    /// process then aggregates all of them, so the report is the one a single process makes; only rank 0
    /// reports progress and writes sample logs.
    public var communicator: any Communicator = SingleProcess()

    /// A runner for `scorer`.
    public init(scorer: any Scorer, options: EvalOptions = EvalOptions(), progress: ProgressReporter = ProgressReporter()) {
        self.scorer = scorer
        self.options = options
        self.progress = progress
    }

    /// Evaluates `tasks` in order.
    /// - Throws: `EvalError.notZeroShot` (before any scoring) when the training manifest covers a task and
    ///   ``EvalOptions/allowSeenTasks`` is off; `EvalError.invalidOptions` for bad options; any task's loading
    ///   error (all of a task's documents are prepared, images checked, before it is scored); the scorer's
    ///   errors; `EvalError.unwritableFile` for sample logs.
    public func run(_ tasks: [any EvalTask]) throws -> EvalReport {
        guard options.batchSize > 0 else { throw EvalError.invalidOptions("the batch size must be positive") }
        let violations = tasks.map { options.trainingManifest?.violations(for: $0.info) ?? [] }
        let seen = violations.flatMap { $0 }
        if !seen.isEmpty && !options.allowSeenTasks { throw EvalError.notZeroShot(seen) }
        var results: [TaskResult] = []
        for (task, taskViolations) in zip(tasks, violations) {
            var result = try evaluate(task)
            result.zeroShot = taskViolations.isEmpty
            result.heldOutViolations = taskViolations
            results.append(result)
        }
        return EvalReport(tasks: results, model: scorer.identity, options: options)
    }

    /// Evaluates one task.
    /// - Throws: as ``run(_:)``.
    public func evaluate<Task: EvalTask>(_ task: Task) throws -> TaskResult {
        let documents = try task.documents()
        let selected = try options.selectedIndices(total: documents.count)
        let instances = try selected.map { try task.instance(for: documents[$0], index: $0) }
        var items: [MetricKey: [MetricItem]] = [:]
        var logLines: [String] = []
        let (rank, size) = (communicator.rank, communicator.size)
        let batches = stride(from: 0, to: instances.count, by: options.batchSize).map {
            $0..<min($0 + options.batchSize, instances.count)
        }
        if rank == 0 { progress.start(task: task.name, total: instances.count) }
        let local = Result { () throws -> [Int: [[Response]]] in
            var answered: [Int: [[Response]]] = [:]
            for index in stride(from: rank, to: batches.count, by: size) {
                answered[index] = try respond(to: instances[batches[index]])
                if rank == 0 { progress.advance(by: batches[index].count) }  // rank 0's own share
            }
            return answered
        }
        let responses = size == 1 ? try local.get() : try ResponseExchange.allGather(local, over: communicator)
        if rank == 0 && size > 1 {  // the other ranks' shares, now gathered
            progress.advance(by: batches.indices.filter { $0 % size != 0 }.reduce(0) { $0 + batches[$1].count })
        }
        for (index, batch) in batches.enumerated() {
            for (offset, position) in batch.enumerated() {
                let instance = instances[position]
                let scored = try instance.score(responses[index]![offset], metrics: task.info.metrics, task: task.name)
                for (key, item) in scored.items { items[key, default: []].append(item) }
                if options.sampleLogDirectory != nil && rank == 0 {
                    logLines.append(try logLine(instance, documentIndex: selected[position], scored: scored))
                }
            }
        }
        if rank == 0 { progress.finish() }
        if let directory = options.sampleLogDirectory, rank == 0 {
            try EvalReport.writeAtomically(logLines.joined(), to: directory.appendingPathComponent("samples_\(task.name).jsonl"))
        }
        var metrics: [MetricKey: AggregatedMetric] = [:]
        for (key, values) in items {
            metrics[key] = try Aggregation.aggregate(key.metric, items: values, bootstrapIterations: options.bootstrapIterations,
                                                 seed: options.seed)
        }
        return TaskResult(info: task.info, metrics: metrics, originalCount: documents.count,
                          effectiveCount: instances.count)
    }

    /// Sends a batch's requests, grouped by kind (one scorer call per kind, documents kept together), and
    /// returns each instance's responses in request order.
    private func respond(to instances: ArraySlice<EvalInstance>) throws -> [[Response]] {
        var likelihood: [(slot: (Int, Int), request: LoglikelihoodRequest)] = []
        var rolling: [(slot: (Int, Int), prompt: Prompt)] = []
        var generation: [(slot: (Int, Int), request: GenerationRequest)] = []
        var responses: [[Response?]] = []
        for (row, instance) in instances.enumerated() {
            let requests = instance.requests
            responses.append(Array(repeating: nil, count: requests.count))
            for (column, request) in requests.enumerated() {
                switch request {
                case .loglikelihood(let context, let continuation):
                    likelihood.append(((row, column), LoglikelihoodRequest(context: context, continuation: continuation)))
                case .loglikelihoodRolling(let prompt):
                    rolling.append(((row, column), prompt))
                case .generate(let prompt, let until, let maxNewTokens):
                    generation.append(((row, column), GenerationRequest(prompt: prompt, until: until,
                                                                        maxNewTokens: maxNewTokens)))
                }
            }
        }
        if !likelihood.isEmpty {
            let results = try scorer.loglikelihood(likelihood.map(\.request))
            try Self.check(results.count, likelihood.count, "loglikelihood")
            for (entry, result) in zip(likelihood, results) { responses[entry.slot.0][entry.slot.1] = .loglikelihood(result) }
        }
        if !rolling.isEmpty {
            let results = try scorer.loglikelihoodRolling(rolling.map(\.prompt))
            try Self.check(results.count, rolling.count, "loglikelihood_rolling")
            for (entry, result) in zip(rolling, results) {
                responses[entry.slot.0][entry.slot.1] = .loglikelihoodRolling(result)
            }
        }
        if !generation.isEmpty {
            let results = try scorer.generate(generation.map(\.request))
            try Self.check(results.count, generation.count, "generation")
            for (entry, text) in zip(generation, results) {
                responses[entry.slot.0][entry.slot.1] = .generation(entry.request.truncated(text))
            }
        }
        return responses.map { $0.compactMap { $0 } }
    }

    private static func check(_ received: Int, _ expected: Int, _ kind: String) throws {
        guard received == expected else {
            throw EvalError.scorerResultCount(kind: kind, expected: expected, received: received)
        }
    }

    /// One JSON line of the per-sample log.
    private func logLine(_ instance: EvalInstance, documentIndex: Int, scored: ScoredSample) throws -> String {
        var record = scored.log
        record["doc_id"] = .string(instance.id)
        record["doc_index"] = .int(documentIndex)
        let prompts = instance.prompts
        let transcripts = prompts.map(\.transcript)
        if Set(transcripts).count == 1 {
            record["prompt"] = .string(transcripts[0])
        } else {
            record["prompts"] = .array(transcripts.map(JSONValue.string))
        }
        let images = prompts.flatMap(\.images).map(\.path)
        if !images.isEmpty { record["images"] = .array(Array(Set(images)).sorted().map(JSONValue.string)) }
        let continuations = instance.requests.compactMap { request -> JSONValue? in
            if case .loglikelihood(_, let continuation) = request { return .string(continuation) }
            return nil
        }
        if !continuations.isEmpty { record["continuations"] = .array(continuations) }
        do {
            return try JSONValue.object(record).finite.jsonString() + "\n"
        } catch {
            throw EvalError.unwritableFile(path: options.sampleLogDirectory?.path ?? "", reason: error.description)
        }
    }
}
