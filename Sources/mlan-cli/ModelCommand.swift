import ArgumentParser
import Foundation
import MLANExperiment
import MLANModel

/// `mlan model inspect|logits|convert`: look inside checkpoints and debug parity.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Inspect, run and convert model checkpoints.",
        subcommands: [Inspect.self, Logits.self, Convert.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Architecture, config, parameter count and tensors of a checkpoint.")
        @Argument(help: "A .gguf file or a Hugging Face model directory.") var path: String

        func run() throws {
            print(try ModelInspection.describe(URL(fileURLWithPath: path)))
        }
    }

    struct Logits: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write input ids and logits to a safetensors file.")
        @OptionGroup var model: ModelOptions
        @OptionGroup var input: PromptOptions
        @OptionGroup var weightOptions: WeightOptions
        @Flag(help: "Write logits for every position ([T, V]) instead of the last ([V]).") var allPositions = false
        @Option(help: "The safetensors file to write.") var output: String
        @Option(help: "A PNG or JPEG for a LLaVA model: --prompt marks it with <image>; --ids hold the image token (once, or once per feature row) or LLaVA's -200 (write --ids=-200,...).") var image: String?
        @Option(help: "With --image and a language model: a CLIP directory or vit-l14-336 / vit-b16-224 / tiny.")
        var visionTower: String?

        func validate() throws {
            try input.validate()
        }

        func run() throws {
            var job = LogitsJob(model: model.url, prompt: try input.input(), output: URL(fileURLWithPath: output))
            job.weights = weightOptions.weights
            job.activations = weightOptions.activations
            job.allPositions = allPositions
            job.image = image.map { URL(fileURLWithPath: $0) }
            job.visionTower = visionTower
            FileHandle.standardError.write(Data((try job.run() + "\n").utf8))
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Convert any loadable checkpoint to a Hugging Face directory.")
        @OptionGroup var model: ModelOptions
        @Option(help: "The directory to write (config.json, model.safetensors, tokenizer and generation configs).") var output: String

        func run() throws {
            print(try ConvertJob.run(model: model.url, to: URL(fileURLWithPath: output)))
        }
    }
}
