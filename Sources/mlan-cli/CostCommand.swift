import ArgumentParser
import Foundation
import MLANTrain

/// `mlan cost`: stage-2 training FLOPs of the paper's mixtures at paper scale.
struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost", abstract: "Analytic stage-2 training cost of MLAN, MLAN_v and a vision-heavy mixture.",
        discussion: "Defaults: Llama-2-7B / Vicuna-7B + CLIP ViT-L/14-336 (576 image tokens). See Docs/RECIPE.md.")
    @Option(help: "LLM parameters.") var llmParameters = CostModel().languageModelParameters
    @Option(help: "Vision tower parameters.") var visionParameters = CostModel().visionParameters
    @Option(help: "Projector parameters.") var projectorParameters = CostModel().projectorParameters
    @Option(help: "LLM positions per image.") var imageTokens = CostModel().imageTokens
    @Option(help: "Mean text tokens of a language-only example.") var languageTextTokens = CostModel().languageTextTokens
    @Option(help: "Mean text tokens of an image example.") var visionTextTokens = CostModel().visionTextTokens
    @Option(help: "Examples per mixture.") var examples = 80_000.0

    func validate() throws {
        for (flag, value) in [("--llm-parameters", llmParameters), ("--vision-parameters", visionParameters),
                              ("--projector-parameters", projectorParameters), ("--image-tokens", imageTokens),
                              ("--language-text-tokens", languageTextTokens), ("--vision-text-tokens", visionTextTokens),
                              ("--examples", examples)] where !(value.isFinite && value >= 0) {
            throw ValidationError("\(flag) must be a finite number >= 0, got \(value).")
        }
    }

    func run() {
        var model = CostModel()
        model.languageModelParameters = llmParameters
        model.visionParameters = visionParameters
        model.projectorParameters = projectorParameters
        model.imageTokens = imageTokens
        model.visionTokens = imageTokens + 1
        model.languageTextTokens = languageTextTokens
        model.visionTextTokens = visionTextTokens
        print(model.summary(examples: examples))
    }
}
