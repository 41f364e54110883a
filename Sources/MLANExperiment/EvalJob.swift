import Foundation
import MLANCore
import MLANDistributed
import MLANEval
import MLANModel
import MLANSupport

/// One `mlan eval` run as a value: which model, which tasks under which protocol, how documents are chosen,
/// and where the reports go. `run()` builds the tasks, the scorer and the runner, writes every requested
/// report, and returns the results. Started by `mpirun -np N`, the N processes share the documents and each
/// returns the whole report; rank 0 alone writes the files.
///
/// ```swift
/// var job = EvalJob(model: URL(fileURLWithPath: "models/SmolLM2-135M-Instruct.Q4_1.gguf"), tasks: ["boolq"])
/// job.options.limit = .count(50)
/// let report = try job.run()
/// print(report.markdown)
/// ```
public struct EvalJob: Sendable {
    /// A `.gguf` file, a Hugging Face Llama directory or a LLaVA directory (`AutomaticScorerFactory` chooses).
    public var model: URL
    /// Built-in task names or groups (`paper`, `all`).
    public var tasks: [String]
    /// Tasks declared in JSON files.
    public var taskFiles: [URL] = []
    /// lm-eval (log-likelihood multiple choice) or mlan (the paper's generation and filters).
    public var evalProtocol: EvalProtocol = .lmEval
    /// The chat template; nil means `v1` under the mlan protocol and plain prompts under lm-eval.
    public var template: String?
    /// The data folder laid out like `../shared/data`; nil looks it up with `SharedDataDirectory.locate()`.
    public var dataDirectory: URL?
    /// COCO val2014 images for POPE.
    public var popeImageDirectory: URL?
    /// NLVR images per statement.
    public var nlvrImages: NLVRImageSelection = .first
    /// Document selection, batching, bootstrap, sample logs and held-out checks (its `template` is set by `run()`).
    public var options = EvalOptions()
    /// The training mixture manifest for held-out checks.
    public var trainingManifest: URL?
    /// Where to write the results JSON, the Markdown table and the HTML report (nil: not written).
    public var jsonOutput: URL?, markdownOutput: URL?, htmlOutput: URL?

    /// A job evaluating `model` on `tasks` with default options.
    public init(model: URL, tasks: [String]) {
        self.model = model
        self.tasks = tasks
    }

    /// The template the scorer renders with.
    /// How a language model holds its weight matrices (`--weights`; `.native` keeps a GGUF's blocks).
    public var weights = WeightForm.native
    /// The activations of decode-sized products with 4/8-bit frozen weights (`--activations`, see
    /// `ActivationPrecision`).
    public var activations = ActivationPrecision.defaultForDecoding

    public var effectiveTemplate: String? { template ?? (evalProtocol == .mlan ? "v1" : nil) }

    /// Evaluates and writes the requested reports.
    /// - Throws: `ExperimentError` (no data folder), `EvalError` (unknown task, bad options, seen tasks),
    ///   scorer and file errors, each naming what failed.
    public func run() throws -> EvalReport {
        guard !tasks.isEmpty || !taskFiles.isEmpty else {
            throw ExperimentError.invalidSetting(field: "tasks", reason: "name at least one task or task file")
        }
        let data = try dataDirectory ?? SharedDataDirectory.locate()
        let taskOptions = BuiltinTaskOptions(dataDirectory: data, popeImageDirectory: popeImageDirectory, nlvrImages: nlvrImages)
        let evalTasks = try BuiltinTasks.tasks(named: tasks, definitionFiles: taskFiles, protocol: evalProtocol, options: taskOptions)
        var options = options
        options.template = effectiveTemplate
        if let trainingManifest { options.trainingManifest = try TrainingManifest.load(from: trainingManifest) }
        let scorer = try AutomaticScorerFactory(weights: weights, activations: activations).makeScorer(model: model, template: effectiveTemplate)
        var runner = EvalRunner(scorer: scorer, options: options)
        runner.communicator = try Launch.communicator()
        let report = try runner.run(evalTasks)
        guard runner.communicator.rank == 0 else { return report }
        if let jsonOutput { try report.write(to: jsonOutput) }
        if let markdownOutput { try AtomicFile.write(Data(report.markdown.utf8), to: markdownOutput) }
        if let htmlOutput { try AtomicFile.write(Data(report.html.utf8), to: htmlOutput) }
        return report
    }
}
