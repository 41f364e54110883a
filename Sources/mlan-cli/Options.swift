import ArgumentParser
import Foundation
import MLANCore
import MLANExperiment
import MLANModel

/// `--model PATH`.
struct ModelOptions: ParsableArguments {
    @Option(help: "A .gguf file or a Hugging Face model directory.") var model: String
    var path: String { model }
    var url: URL { URL(fileURLWithPath: model) }
}

/// `--weights native|f32|bf16|q8_0 --activations f32|q8`.
struct WeightOptions: ParsableArguments {
    @Option(help: "How a language model keeps its weight matrices: native (as stored, e.g. a GGUF's 4-bit blocks), f32, bf16, q8_0.")
    var weights = WeightForm.native
    @Option(help: "Activations of decode-sized products with 4/8-bit weights: q8 (rounded to 8 bits, integer dot products, faster) or f32 (exact).")
    var activations = ActivationPrecision.defaultForDecoding
}

/// `--prompt TEXT [--chat] | --ids 1,2,3`.
struct PromptOptions: ParsableArguments {
    @Option(name: [.customLong("prompt"), .customLong("text")], help: "The prompt text.") var prompt: String?
    @Flag(help: "Wrap the prompt as a user turn in the model's chat template (chatml).") var chat = false
    @Option(help: "Comma-separated token ids instead of text.") var ids: String?

    func validate() throws {
        guard (prompt == nil) != (ids == nil) else { throw ValidationError("Pass exactly one of --prompt or --ids.") }
        if ids != nil && chat { throw ValidationError("--chat applies to --prompt only.") }
        if let ids { _ = try PromptInput.parseIDs(ids) }
    }

    /// The prompt as the library takes it.
    func input() throws -> PromptInput {
        if let ids { return .ids(try PromptInput.parseIDs(ids)) }
        return .text(prompt ?? "", chat: chat)
    }
}
