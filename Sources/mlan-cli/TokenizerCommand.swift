import ArgumentParser
import Foundation
import MLANData
import MLANExperiment

/// `mlan tokenizer encode|decode|train`: tokenizers from the command line.
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Encode or decode with BPE or SentencePiece tokenizers; train BPE.",
        subcommands: [Encode.self, Decode.self, Train.self])

    /// `mlan tokenizer encode --tokenizer PATH [--special] [--jsonl]`.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode each line of standard input; print one JSON array of ids per line.")

        @OptionGroup var source: TokenizerSource
        @Flag(help: ArgumentHelp("Also add the tokenizer's special tokens (its post-processor, e.g. BOS). Added "
                                 + "tokens written in the text, like <|im_start|>, are matched either way."))
        var special = false
        @Flag(help: "Each input line is a JSON string (e.g. \"a\\nb\"), so text with newlines can be encoded.")
        var jsonl = false

        func run() throws {
            let job = try source.job()
            if jsonl {
                try job.encode(jsonLines: StandardInputLines(), addSpecialTokens: special) { print($0) }
            } else {
                job.encode(lines: StandardInputLines(), addSpecialTokens: special) { print($0) }
            }
        }
    }

    /// `mlan tokenizer decode --tokenizer PATH [--skip-special-tokens]`.
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode each line of standard input, a JSON array of ids; print its text.")

        @OptionGroup var source: TokenizerSource
        @Flag(help: "Leave special tokens out of the text.") var skipSpecialTokens = false

        func run() throws {
            try source.job().decode(lines: StandardInputLines(), skipSpecialTokens: skipSpecialTokens) { print($0) }
        }
    }

    /// `mlan tokenizer train --vocab-size N --output tokenizer.json FILES...`.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a byte-level BPE tokenizer on text files (each line one sequence), as Hugging Face "
                + "tokenizers' BpeTrainer does, and write its tokenizer.json.")

        @Option(help: "Vocabulary size, special tokens and the 256-byte alphabet included.") var vocabSize: Int
        @Option(help: "Where to write tokenizer.json (written atomically).") var output: String
        @Option(name: .customLong("special-token"), help: "A special token, placed first (repeatable).")
        var specialTokens: [String] = []
        @Option(help: "The minimum count of a pair to merge.") var minFrequency = 0
        @Option(help: ArgumentHelp("Pre-tokenizer: \(PreTokenizer.ggufNames.map(\.name).joined(separator: ", "))."))
        var preTokenizer = "gpt2"
        @Argument(help: "UTF-8 text files.") var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("Pass at least one text file.") }
            if vocabSize <= 0 { throw ValidationError("--vocab-size must be positive.") }
            if minFrequency < 0 { throw ValidationError("--min-frequency must not be negative.") }
        }

        func run() throws {
            let trainer = BPETrainer(vocabularySize: vocabSize, specialTokens: specialTokens,
                                     minFrequency: minFrequency, preTokenizer: try PreTokenizer.named(preTokenizer))
            print(try TokenizerJob.train(trainer, files: files.map { URL(fileURLWithPath: $0) }, output: URL(fileURLWithPath: output)))
        }
    }
}

/// `--tokenizer PATH`: a `tokenizer.json`, a SentencePiece `tokenizer.model`, or a GGUF model whose metadata holds
/// its tokenizer (the form is recognised by content).
struct TokenizerSource: ParsableArguments {
    @Option(help: ArgumentHelp("A Hugging Face tokenizer.json, a SentencePiece tokenizer.model, or a .gguf model "
                               + "(its tokenizer.ggml.* metadata); recognised by content."))
    var tokenizer: String

    func job() throws -> TokenizerJob { try TokenizerJob(file: URL(fileURLWithPath: tokenizer)) }
}
