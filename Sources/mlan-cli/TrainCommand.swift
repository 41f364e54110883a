import ArgumentParser
import Foundation
import MLANTrain

/// `mlan train --config FILE`: run one stage of the recipe (resumes from the newest checkpoint in its output);
/// FLOPs count a frozen vision tower forward only (`StageRunner` passes `ComputeProfile(llava)`).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Run one recipe stage (pretrain, align, instruct) from a JSON config.",
        discussion: "See Docs/RECIPE.md and Configs/ for the format.")
    @Option(help: "The stage config JSON.") var config: String

    func run() throws {
        let result = try StageRunner(try StageConfig.load(from: URL(fileURLWithPath: config))).run()
        let e = result.efficiency
        print(String(format: "Done: %d steps, final loss %.4f, %d examples, %d text + %d image tokens, %.3g FLOPs, %.1f s",
                     e.optimizerSteps, result.finalLoss, e.examples, e.textTokens, e.imageTokens, e.flops, e.seconds))
    }
}
