import Foundation
import MLANData

/// `mlan data validate|inspect`: an instruction dataset read with invalid records left out and listed.
public struct DatasetJob {
    /// The records read and the ones left out.
    public let load: DatasetLoad

    /// Reads `file` (LLaVA JSON/JSONL or Alpaca-style JSON), checking images under `imageRoot` when given.
    /// - Throws: `DatasetError` when the file as a whole cannot be read.
    public init(file: URL, format: DatasetFormat = .automatic, imageRoot: URL? = nil) throws {
        let options = DatasetReadOptions(format: format, imageRoot: imageRoot, invalidRecords: .skipInvalid)
        load = try InstructionDataset.load(from: file, options: options)
    }

    /// Whether every record was valid.
    public var isValid: Bool { load.skipped.isEmpty }

    /// Counts and the first `maxErrors` errors.
    public func validationReport(maxErrors: Int) -> String { load.validationReport(maxErrors: maxErrors) }

    /// The id an image slot becomes when inspecting: LLaVA's `IMAGE_TOKEN_INDEX`, outside every vocabulary.
    public static let imagePlaceholder = -200

    /// Record, modality, turn and length statistics; with a tokenizer, token statistics under `template` and the
    /// first example with its supervised spans in `[[ ]]`.
    /// - Throws: `TemplateError` for an unknown template; `TokenizerError` for a bad tokenizer file.
    public func inspection(tokenizer file: URL?, template: String = "v1") throws -> String {
        var lines: [String] = []
        if !load.skipped.isEmpty {
            lines.append("\(load.skipped.count) invalid records left out; `mlan data validate` lists them.")
        }
        guard let file else { return (lines + [DatasetStatistics(load.records).report]).joined(separator: "\n") }
        let bpe = try BPETokenizer.load(from: file)
        let conversation = try BuiltinTemplates.named(template)
        let tokenize = { (record: InstructionRecord) in
            try Example(record, template: conversation, tokenizer: bpe, imagePlaceholder: Self.imagePlaceholder,
                        addBOS: bpe.bosTokenID != nil).tokens
        }
        lines.append(try DatasetStatistics(load.records, tokenize: tokenize).report)
        if let first = load.records.first {
            lines.append("\nfirst example (\(first.id)), supervised spans in [[ ]]:")
            lines.append(try tokenize(first).renderedWithTargets(using: bpe, imagePlaceholder: Self.imagePlaceholder))
        }
        return lines.joined(separator: "\n")
    }
}
