import ArgumentParser
import Foundation
import MLANExperiment

/// `mlan experiment`: the MLAN recipe on SmolLM2-135M-Instruct, end to end and resumable.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run MLAN on SmolLM2-135M-Instruct: train a vision tower, align, tune each mixture, evaluate zero-shot; "
            + "a rerun with the same --output continues a stopped run.")
    @Option(help: "The experiment config (see Configs/smollm2-mlan.json).") var config: String
    @Flag(help: "Apply the config's \"quick\" overrides: a smoke run with tiny counts.") var quick = false
    @Option(name: [.customLong("output"), .customLong("out")],
            help: "The output folder (default runs/experiment, or runs/experiment-quick with --quick).") var output: String?
    @Option(help: "The data folder (default: $MLAN_SHARED/data or ../shared/data).") var dataDir: String?
    @Option(help: ArgumentHelp("Stop after N optimizer steps of a stage (stage1_align, stage2_NAME), its checkpoint "
                               + "written, as a kill would; rerun to continue.", valueName: "stage:N"))
    var stopAfter: String?

    func run() throws {
        let settings = try SmolLM2ExperimentConfig.load(from: URL(fileURLWithPath: config), quick: quick)
        let folder = URL(fileURLWithPath: output ?? (quick ? "runs/experiment-quick" : "runs/experiment"))
        let experiment = SmolLM2Experiment(config: settings, output: folder)
        experiment.dataDirectory = dataDir.map { URL(fileURLWithPath: $0) }
        experiment.command = (["mlan"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        experiment.isSmokeRun = quick
        if let stopAfter {
            let parts = stopAfter.split(separator: ":")
            guard parts.count == 2, let step = Int(parts[1]), step > 0 else {
                throw ValidationError("--stop-after takes STAGE:N with N a positive step count, not \"\(stopAfter)\"")
            }
            experiment.stopAfter = (String(parts[0]), step)
        }
        guard let report = try experiment.run() else { return }
        print(report.markdown)
        print("Reports: \(folder.appendingPathComponent("report.md").path), \(folder.appendingPathComponent("report.html").path), "
            + "\(folder.appendingPathComponent("results.json").path)")
    }
}
