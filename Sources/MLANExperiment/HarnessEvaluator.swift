import Foundation
import MLANData
import MLANEval
import MLANModel
import MLANTrain

/// Runs the demo's evaluations through MLANEval exactly as `mlan eval --protocol mlan` would: each micro-world
/// evaluation set as its declared task file (`world/tasks/*.json`), built-in tasks (real NLVR) by name, scored
/// by the LLaVA adapter with the `v1` template. The mixture manifest decides which scores are zero-shot (the
/// runner marks a task whose dataset or cluster was trained on), and chance and majority baselines are computed
/// from the same documents.
public struct HarnessEvaluator: RecipeEvaluator, Sendable {
    /// The data folder built-in tasks read (`../shared/data`); nil looks it up when a built-in task is asked for.
    public var dataDirectory: URL?
    /// How evaluation progress is shown.
    public var progress: ProgressReporter.Mode
    /// The protocol built-in tasks are read under (default `mlan`).
    public var evalProtocol: EvalProtocol = .mlan
    /// Evaluate the first `limit` documents of each task, as lm-eval's `--limit` (default: a seeded subset).
    public var firstDocuments = false
    /// The template name recorded in the options (default `v1`, what the micro experiment's scorer renders with).
    public var templateName: String? = "v1"

    /// An evaluator reading built-in tasks from `dataDirectory`.
    public init(dataDirectory: URL? = nil, progress: ProgressReporter.Mode = .automatic) {
        self.dataDirectory = dataDirectory
        self.progress = progress
    }

    /// Scores `model` on a seeded subset of `limit` documents of each task.
    /// - Throws: `ExperimentError.missingMetric` when a task reports no primary metric; task, scorer and
    ///   manifest errors from MLANEval; `ExperimentError.dataDirectoryNotFound` for built-in tasks without data.
    public func evaluate(_ model: LlavaForConditionalGeneration, tokenizer: BPETokenizer, images: PixelStore,
                         tasks: [ExperimentTask], limit: Int, seed: UInt64, trainingManifest: URL?,
                         sampleLog: URL? = nil) throws -> [TaskScore] {
        let scorer = LlavaScorer(model: model, tokenizer: tokenizer, template: VicunaTemplate(),
                                 imageProcessor: images.processor, addsBOS: false, identity: "micro-llava")
        return try evaluate(scorer: scorer, tasks: tasks, limit: limit, seed: seed, trainingManifest: trainingManifest,
                            sampleLog: sampleLog)
    }

    /// Scores `scorer` on a seeded subset of `limit` documents of each task (what ``evaluate(_:tokenizer:images:tasks:limit:seed:trainingManifest:)``
    /// does with the model's LLaVA scorer). A task's image-swap twin is scored on the same documents, under the
    /// task's name with `_swapped` appended.
    /// - Throws: as that method; `ExperimentError.invalidSetting` naming a twin that holds other documents than its task.
    public func evaluate(scorer: any Scorer, tasks: [ExperimentTask], limit: Int, seed: UInt64,
                         trainingManifest: URL?, sampleLog: URL? = nil) throws -> [TaskScore] {
        let twins = tasks.indices.compactMap { index in
            tasks[index].swappedImages.map { (task: index, twin: ExperimentTask(name: tasks[index].name + "_swapped", source: $0,
                                                                              block: tasks[index].block)) }
        }
        let evalTasks = try makeTasks(tasks + twins.map(\.twin))
        if let sampleLog { try FileManager.default.createDirectory(at: sampleLog, withIntermediateDirectories: true) }
        let options = EvalOptions(limit: firstDocuments ? .count(limit) : nil, sampleSize: firstDocuments ? nil : limit,
                                  seed: seed, sampleLogDirectory: sampleLog,
                                  trainingManifest: try trainingManifest.map { try TrainingManifest.load(from: $0) },
                                  allowSeenTasks: true, template: templateName)
        let report = try EvalRunner(scorer: scorer, options: options, progress: ProgressReporter(mode: progress)).run(evalTasks)
        var swapped: [Int: Double] = [:]
        for (offset, pair) in twins.enumerated() {
            let (result, own) = (report.tasks[tasks.count + offset], report.tasks[pair.task])
            let value = try Self.primaryValue(result)
            guard result.effectiveCount == own.effectiveCount else {
                throw ExperimentError.invalidSetting(field: pair.twin.source.label, reason: "the image-swap twin of "
                    + "\(tasks[pair.task].name) scored \(result.effectiveCount) documents, its task \(own.effectiveCount)")
            }
            swapped[pair.task] = value
        }
        var questionOnlyBaselines: [[URL]: QuestionOnlyBaseline] = [:]  // a cluster's two modalities share their records
        return try zip(zip(tasks, evalTasks), report.tasks).enumerated().map { index, element in
            let (pair, result) = element
            let (task, evalTask) = pair
            let accuracy = try Self.primaryValue(result)
            var questionOnly: QuestionOnlyBaseline?
            if !task.questionOnlyRecords.isEmpty {
                questionOnly = try questionOnlyBaselines[task.questionOnlyRecords] ?? QuestionOnlyBaseline(files: task.questionOnlyRecords)
                questionOnlyBaselines[task.questionOnlyRecords] = questionOnly
            }
            let baseline = try Self.baselines(evalTask, options: options, questionOnly: questionOnly)
            return TaskScore(name: task.name, cluster: result.info.taskCluster, modality: result.info.modality.rawValue,
                             block: task.block, zeroShot: result.zeroShot, accuracy: accuracy,
                             stderr: result.primary?.standardError ?? 0, documents: result.effectiveCount,
                             chance: baseline.chance, majority: baseline.majority, questionOnly: baseline.questionOnly,
                             swappedImageAccuracy: swapped[index])
        }
    }

    /// The value of `result`'s primary metric.
    /// - Throws: `ExperimentError.missingMetric` when the task reported none, or not a finite one.
    private static func primaryValue(_ result: TaskResult) throws -> Double {
        guard let primary = result.primary, primary.value.isFinite else {
            throw ExperimentError.missingMetric(task: result.info.name, metric: result.info.primaryMetric.description)
        }
        return primary.value
    }

    /// The MLANEval tasks of `tasks`, in order.
    /// - Throws: task-definition errors naming the file; `ExperimentError.dataDirectoryNotFound`.
    func makeTasks(_ tasks: [ExperimentTask]) throws -> [any EvalTask] {
        try tasks.map { task in
            switch task.source {
            case .definition(let file):
                return try DeclaredTask(definition: try TaskDefinition.load(from: file), baseDirectory: file.deletingLastPathComponent())
            case .builtin(let name):
                let data = try dataDirectory ?? SharedDataDirectory.locate()
                let found = try BuiltinTasks.tasks(named: [name], protocol: evalProtocol, options: BuiltinTaskOptions(dataDirectory: data))
                guard found.count == 1, let only = found.first else {
                    throw ExperimentError.invalidSetting(field: "tasks", reason: "\(name) names \(found.count) tasks, not one")
                }
                return only
            }
        }
    }

    /// Chance (uniform guessing over each document's choices, or over the distinct gold answers when a task has
    /// no choices), majority (always the most frequent gold answer) and, given `questionOnly`, that baseline's
    /// accuracies over the documents `options` selects.
    /// - Throws: the task's document errors.
    static func baselines(_ task: any EvalTask, options: EvalOptions, questionOnly: QuestionOnlyBaseline? = nil) throws
        -> (chance: Double, majority: Double, questionOnly: Double?) {
        try openedBaselines(task, options: options, questionOnly: questionOnly)
    }

    private static func openedBaselines<Task: EvalTask>(_ task: Task, options: EvalOptions, questionOnly: QuestionOnlyBaseline?)
        throws -> (chance: Double, majority: Double, questionOnly: Double?) {
        let documents = try task.documents()
        let selected = try options.selectedIndices(total: documents.count)
        var golds: [String] = [], choiceCounts: [Int] = [], guesses: [String] = []
        for index in selected {
            let instance = try task.instance(for: documents[index], index: index)
            switch instance.kind {
            case .generation(let request, let choices, let targets, _):
                golds.append(Self.normalized(targets.first ?? ""))
                choiceCounts.append(choices.count)
                if let questionOnly { guesses.append(Self.normalized(questionOnly.answer(to: Self.question(request.prompt)))) }
            case .multipleChoice(let requests, let choices, let gold):
                golds.append(String(gold.first ?? 0))
                choiceCounts.append(choices.count)
                if let questionOnly, let context = requests.first?.context {
                    let guess = Self.normalized(questionOnly.answer(to: Self.question(context)))
                    guesses.append(choices.firstIndex { Self.normalized($0) == guess }.map(String.init) ?? "")
                }
            case .loglikelihood, .rolling:
                throw ExperimentError.invalidSetting(field: task.name, reason: "has no answers to guess among")
            }
        }
        guard !golds.isEmpty else { return (0, 0, questionOnly == nil ? nil : 0) }
        let frequencies = Dictionary(golds.map { ($0, 1) }, uniquingKeysWith: +)
        let majority = Double(frequencies.values.max() ?? 0) / Double(golds.count)
        let chance: Double
        if choiceCounts.allSatisfy({ $0 > 0 }) {
            chance = choiceCounts.map { 1 / Double($0) }.reduce(0, +) / Double(choiceCounts.count)
        } else {
            chance = 1 / Double(frequencies.count)
        }
        let hits = zip(guesses, golds).filter { $0 == $1 }.count
        return (chance, majority, questionOnly == nil ? nil : Double(hits) / Double(golds.count))
    }

    /// The question a prompt asks: its text, or its last user turn.
    private static func question(_ prompt: Prompt) -> String {
        switch prompt.content {
        case .text(let text): return text
        case .conversation(let turns): return turns.last { $0.role == .user }?.text ?? ""
        }
    }

    /// Lower case, trimmed: how exact match (ignoring case) compares answers.
    private static func normalized(_ text: String) -> String {
        text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
    }
}
