import ArgumentParser
import Foundation
import MLANDistributed
import MLANEval
import MLANExperiment

/// `mlan eval`: zero-shot evaluation of a model on built-in or declared tasks, under lm-eval's protocol or
/// the paper's. Writes lm-eval-shaped results JSON (and optionally Markdown, HTML and per-sample logs) and
/// prints the results table. Progress goes to standard error.
///
/// The scorer comes from `AutomaticScorerFactory`: a LLaVA directory (its `config.json` has `vision_config`) gets
/// a `LlavaScorer`, a `.gguf` file or another Hugging Face directory a `LanguageModelScorer`.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model zero-shot on language and vision tasks.",
        discussion: "Built-in tasks: \(BuiltinTasks.names.joined(separator: ", ")); 'paper' and 'all' name groups. "
            + "See Docs/EVALUATION.md.")

    @Option(help: "A .gguf file, a Hugging Face Llama directory or a LLaVA directory.") var model: String?
    @Option(parsing: .upToNextOption, help: "Built-in task names, e.g. boolq arc_easy pope_random, or paper / all.")
    var tasks: [String] = []
    @Option(name: .customLong("task-file"), help: "A task declared in JSON (repeatable).") var taskFiles: [String] = []
    @Option(name: .customLong("protocol"), help: "lm-eval (log-likelihood multiple choice) or mlan (paper's generation).")
    var evalProtocol = EvalProtocol.lmEval
    @Option(help: "Conversation template for chat prompts: v1 (the paper; the default for --protocol mlan), chatml (SmolLM2), llama_2.")
    var template: String?
    @Option(help: ArgumentHelp("The evaluation data folder, laid out like ../shared/data. Default: $MLAN_SHARED/data, "
                               + "else ../shared/data beside the current directory, else beside the repository the "
                               + "mlan executable was built in."))
    var dataDir: String?
    @Option(help: "Folder of COCO val2014 images for POPE.") var imageDir: String?
    @Option(help: "NLVR images per statement: first (990 documents) or all (5940).") var nlvrImages = NLVRImageSelection.first
    @Option(help: "Only the first N documents (or a fraction below 1) of each task.") var limit: EvalOptions.Limit?
    @Option(help: "A seeded random subset of N documents of each task.") var sample: Int?
    @Option(help: "Seed for --sample and the bootstrap.") var seed: UInt64 = 1234
    @Option(help: "Documents per scorer call.") var batchSize = 16
    @Option(help: "Bootstrap resamples for standard errors of F1, perplexity, ...") var bootstrapIters = 1000
    @OptionGroup var weightOptions: WeightOptions
    @Option(help: "Where to write the results JSON.") var output = "results.json"
    @Option(help: "Also write the results table as Markdown here.") var markdown: String?
    @Option(help: "Also write an HTML report with a bar chart here.") var html: String?
    @Option(name: .customLong("log-samples"), help: "Folder for per-sample JSONL logs.") var logSamples: String?
    @Option(help: "A training mixture manifest; tasks it covers are refused as not zero-shot.") var trainingManifest: String?
    @Flag(help: "Report tasks the manifest covers (marked not zero-shot) instead of refusing.") var allowSeen = false
    @Flag(help: "List the built-in tasks with their dataset, cluster and modality, then exit.") var listTasks = false

    func validate() throws {
        if listTasks { return }
        if model == nil { throw ValidationError("Pass --model.") }
        if tasks.isEmpty && taskFiles.isEmpty { throw ValidationError("Pass at least one --tasks name or --task-file.") }
        if limit != nil && sample != nil { throw ValidationError("--limit and --sample are mutually exclusive.") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
    }

    func run() throws {
        if listTasks { print(try BuiltinTasks.listing, terminator: ""); return }
        guard let model else { return }
        var job = EvalJob(model: URL(fileURLWithPath: model), tasks: tasks)
        job.taskFiles = taskFiles.map { URL(fileURLWithPath: $0) }
        job.evalProtocol = evalProtocol
        job.template = template
        job.dataDirectory = dataDir.map { URL(fileURLWithPath: $0) }
        job.popeImageDirectory = imageDir.map { URL(fileURLWithPath: $0) }
        job.nlvrImages = nlvrImages
        job.weights = weightOptions.weights
        job.activations = weightOptions.activations
        job.options = EvalOptions(limit: limit, sampleSize: sample, seed: seed, batchSize: batchSize,
                                  bootstrapIterations: bootstrapIters, sampleLogDirectory: logSamples.map { URL(fileURLWithPath: $0) },
                                  allowSeenTasks: allowSeen)
        job.trainingManifest = trainingManifest.map { URL(fileURLWithPath: $0) }
        job.jsonOutput = URL(fileURLWithPath: output)
        job.markdownOutput = markdown.map { URL(fileURLWithPath: $0) }
        job.htmlOutput = html.map { URL(fileURLWithPath: $0) }
        let report = try job.run()
        if try Launch.communicator().rank == 0 { print(report.markdown, terminator: "") }
    }
}
