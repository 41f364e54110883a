import ArgumentParser
import Foundation
import MLANExperiment

/// `mlan demo`: the micro-world MLAN experiment end to end.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the micro-world MLAN experiment over several seeds: pretrain, align, tune each mixture, evaluate "
            + "held-out tasks, real NLVR and modality transfer.")
    @Flag(help: "A sub-minute smoke run with tiny counts.") var quick = false
    @Option(help: "A recipe JSON (see Configs/micro.json); fields left out keep the micro defaults.") var recipe: String?
    @Option(help: "The output folder (default runs/demo-DATE).") var output: String?
    @Option(parsing: .upToNextOption, help: "Override the recipe's seeds (at least one), e.g. --seeds 1 2 3.")
    var seeds: [UInt64] = []
    @Option(help: "The data folder holding nlvr/ (default: $MLAN_SHARED/data or ../shared/data).") var dataDir: String?
    @Flag(help: "Continue an interrupted demo in --output: each stage resumes from its newest checkpoint there.")
    var resume = false
    @Flag(help: "Print the recipe as JSON (the defaults, or --quick's) and exit.") var printRecipe = false

    func run() throws {
        var chosen = quick ? MicroRecipe.quick : MicroRecipe()
        if let recipe { chosen = try MicroRecipe.load(from: URL(fileURLWithPath: recipe)) }
        if !seeds.isEmpty { chosen.seeds = seeds }
        try chosen.validate()
        if printRecipe {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(chosen), as: UTF8.self))
            return
        }
        if resume && output == nil {
            throw ValidationError("--resume continues the demo in --output; name that folder")
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let folder = URL(fileURLWithPath: output ?? "runs/demo-\(stamp)")
        let evaluator = HarnessEvaluator(dataDirectory: dataDir.map { URL(fileURLWithPath: $0) })
        let experiment = MicroExperiment(recipe: chosen, output: folder)
        experiment.resumesStages = resume
        let report = try experiment.run(evaluator: evaluator)
        print(report.markdown)
        print("Reports: \(folder.appendingPathComponent("report.md").path), \(folder.appendingPathComponent("report.html").path), "
            + "\(folder.appendingPathComponent("results.json").path)")
    }
}
