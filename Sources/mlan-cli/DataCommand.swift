import ArgumentParser
import Foundation
import MLANData
import MLANExperiment

/// `mlan data`: check and describe instruction datasets (LLaVA JSON/JSONL, Alpaca-style JSON).
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Check and describe instruction datasets (LLaVA JSON/JSONL, Alpaca-style JSON).",
        subcommands: [Validate.self, Inspect.self])

    /// Flags shared by the data subcommands.
    struct DatasetOptions: ParsableArguments {
        @Argument(help: "A LLaVA JSON or JSONL file, or an Alpaca-style JSON file.")
        var file: String
        @Option(help: "Folder the image paths are relative to; every image must exist there.")
        var images: String?
        @Option(help: "Record format: automatic, llava or alpaca.")
        var format: DatasetFormat = .automatic

        /// Reads every record, leaving invalid ones out and listing them.
        func job() throws -> DatasetJob {
            try DatasetJob(file: URL(fileURLWithPath: file), format: format, imageRoot: images.map { URL(fileURLWithPath: $0) })
        }
    }

    /// `mlan data validate FILE [--images DIR]`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate every record; print counts and the first errors; exit 1 if any record is invalid.")
        @OptionGroup var dataset: DatasetOptions
        @Option(help: "How many errors to print.")
        var maxErrors = 20

        func validate() throws {
            if maxErrors < 0 { throw ValidationError("--max-errors must be 0 or more.") }
        }

        func run() throws {
            let job = try dataset.job()
            print(job.validationReport(maxErrors: maxErrors))
            if !job.isValid { throw ExitCode(1) }
        }
    }

    /// `mlan data inspect FILE [--tokenizer tokenizer.json]`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print record counts, the language/vision split and turn and length statistics; with a "
                + "tokenizer, token statistics and the first example with its supervised spans in [[ ]].")
        @OptionGroup var dataset: DatasetOptions
        @Option(help: "A Hugging Face tokenizer.json, for token statistics.")
        var tokenizer: String?
        @Option(help: "The conversation template used with --tokenizer: \(BuiltinTemplates.names.joined(separator: ", ")).")
        var template = "v1"

        func validate() throws {
            if !BuiltinTemplates.names.contains(template) {
                throw ValidationError("Unknown --template \(template); known: \(BuiltinTemplates.names.joined(separator: ", ")).")
            }
        }

        func run() throws {
            print(try dataset.job().inspection(tokenizer: tokenizer.map { URL(fileURLWithPath: $0) }, template: template))
        }
    }
}
