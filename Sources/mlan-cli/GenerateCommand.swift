import ArgumentParser
import Foundation
import MLANData
import MLANModel

/// `mlan generate`: continue a prompt, streaming only the new text to standard output.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate a continuation of a prompt.")
    @OptionGroup var model: ModelOptions
    @OptionGroup var input: PromptOptions
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
    }

    func run() throws {
        if let image { return try runWithImage(URL(fileURLWithPath: image)) }
        let start = Date()
        let loaded = try LanguageModelLoader.load(from: model.url)
        let ids = try input.ids(tokenizer: loaded.tokenizer)
        let loadSeconds = Date().timeIntervalSince(start)
        let generator = Generator(model: loaded.model, tokenizer: loaded.tokenizer)
        let sampler = try Sampler(temperature: temperature, topK: topK, topP: topP, seed: seed)
        let began = Date()
        let result = try generator.generate(promptIDs: ids, maxNewTokens: maxNewTokens, sampler: sampler) { piece in
            if !printIds { FileHandle.standardOutput.write(Data(piece.utf8)) }
        }
        if printIds { print(result.ids.map(String.init).joined(separator: ",")) } else { print() }
        let seconds = Date().timeIntervalSince(began)
        let rate = Double(result.ids.count) / max(seconds, 1e-9)
        FileHandle.standardError.write(Data(String(format: "[%d prompt + %d new tokens in %.2f s (%.1f tok/s), load %.2f s, stop: %@]\n",
                                                   ids.count, result.ids.count, seconds, rate, loadSeconds, result.stopReason.rawValue).utf8))
    }

    /// The prompt (with `<image>` first when it has none) answered about the image by a LLaVA model.
    func runWithImage(_ image: URL) throws {
        guard let text = input.prompt else { throw ValidationError("--image needs --prompt.") }
        let loaded = try MultimodalLoader.load(model: model.url, visionTower: visionTower, seed: seed)
        let user = text.contains("<image>") ? text : "<image>\n" + text
        let prompt = input.chat ? try BuiltinTemplates.named("chatml").render([Turn(.user, user)], addGenerationPrompt: true) : user
        let sampler = try Sampler(temperature: temperature, topK: topK, topP: topP, seed: seed)
        let result = try loaded.generate(prompt: prompt, images: [image], maxNewTokens: maxNewTokens, sampler: sampler) { piece in
            if !printIds { FileHandle.standardOutput.write(Data(piece.utf8)) }
        }
        if printIds { print(result.ids.map(String.init).joined(separator: ",")) } else { print() }
    }
}
