import ArgumentParser
import Foundation
import MLANExperiment
import MLANModel

/// `mlan generate`: continue a prompt, streaming only the new text to standard output.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate a continuation of a prompt.")
    @OptionGroup var model: ModelOptions
    @OptionGroup var input: PromptOptions
    @OptionGroup var weightOptions: WeightOptions
    @Option(help: "The most new tokens.") var maxNewTokens = 64
    @Option(help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
    @Option(help: "Nucleus sampling threshold.") var topP: Float?
    @Option(help: "Keep only the k most likely tokens.") var topK: Int?
    @Option(help: "Sampling seed.") var seed: UInt64 = 0
    @Flag(help: "Print the generated ids, comma-separated, instead of text.") var printIds = false
    @Option(help: "A PNG the prompt asks about (a LLaVA model, or the language model composed with --vision-tower).")
    var image: String?
    @Option(help: "With --image and a language model: a CLIP directory, or vit-l14-336 / vit-b16-224 / tiny (seeded).")
    var visionTower: String?

    func validate() throws {
        try input.validate()
        if maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1.") }
        if temperature < 0 { throw ValidationError("--temperature must be >= 0.") }
        if image != nil && input.prompt == nil { throw ValidationError("--image needs --prompt.") }
    }

    func run() throws {
        var job = GenerateJob(model: model.url, prompt: try input.input())
        job.maxNewTokens = maxNewTokens
        job.sampler = try Sampler(temperature: temperature, topK: topK, topP: topP, seed: seed)
        job.image = image.map { URL(fileURLWithPath: $0) }
        job.visionTower = visionTower
        job.seed = seed
        job.weights = weightOptions.weights
        job.activations = weightOptions.activations
        let outcome = try job.run { if !printIds { FileHandle.standardOutput.write(Data($0.utf8)) } }
        print(printIds ? outcome.ids.map(String.init).joined(separator: ",") : "")
        FileHandle.standardError.write(Data((outcome.summary + "\n").utf8))
    }
}
