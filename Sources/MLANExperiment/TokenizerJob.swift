import Foundation
import MLANCore
import MLANData
import MLANModel

/// `mlan tokenizer encode|decode`: a tokenizer applied line by line, so any text can be piped through it.
public struct TokenizerJob {
    /// The tokenizer in use.
    public let tokenizer: any Tokenizer

    /// Loads the tokenizer in `file`, recognised by content: a GGUF model's `tokenizer.ggml.*` metadata (Llama's
    /// SentencePiece vocabulary or byte-level BPE), a SentencePiece `tokenizer.model`, or a Hugging Face
    /// `tokenizer.json` (Llama's SentencePiece-style BPE, or byte-level BPE).
    /// - Throws: `TokenizerError` / `GGUFError` / `ModelError` naming the file and field.
    public init(file: URL) throws {
        tokenizer = try TokenizerLoader.load(file: file)
    }

    /// Encodes each line; yields one JSON array of ids per line (`[1, 2, 3]`).
    public func encode(lines: some Sequence<String>, addSpecialTokens: Bool, output: (String) -> Void) {
        for line in lines { output(Self.idList(tokenizer.encode(line, addSpecialTokens: addSpecialTokens))) }
    }

    /// Encodes each line, a JSON string (`"two\nlines"`), so that any text, newlines included, can be encoded;
    /// yields one JSON array of ids per line.
    /// - Throws: `TokenizerError.invalidField` naming `source` and the line when a line is not a JSON string.
    public func encode(jsonLines lines: some Sequence<String>, source: String = "<stdin>", addSpecialTokens: Bool,
                       output: (String) -> Void) throws {
        for (index, line) in lines.enumerated() {
            let text: String
            do { text = try JSONDecoder().decode(String.self, from: Data(line.utf8)) } catch {
                throw TokenizerError.invalidField(file: source, field: "line \(index + 1)",
                                                  reason: "expected a JSON string, got '\(line)'")
            }
            output(Self.idList(tokenizer.encode(text, addSpecialTokens: addSpecialTokens)))
        }
    }

    /// `[1, 2, 3]`.
    private static func idList(_ ids: [Int]) -> String {
        "[" + ids.map(String.init).joined(separator: ", ") + "]"
    }

    /// Decodes each line, a JSON array of ids; yields its text.
    /// - Throws: `TokenizerError.invalidField` naming `source` and the line when a line is not an array of ids in
    ///   the vocabulary.
    public func decode(lines: some Sequence<String>, source: String = "<stdin>", skipSpecialTokens: Bool,
                       output: (String) -> Void) throws {
        for (index, line) in lines.enumerated() {
            let field = "line \(index + 1)"
            guard let ids = try? JSONDecoder().decode([Int].self, from: Data(line.utf8)) else {
                throw TokenizerError.invalidField(file: source, field: field,
                                                  reason: "expected a JSON array of integer ids, got '\(line)'")
            }
            if let bad = ids.first(where: { !(0..<tokenizer.vocabularySize).contains($0) }) {
                throw TokenizerError.invalidField(file: source, field: field,
                                                  reason: "id \(bad) is outside 0..<\(tokenizer.vocabularySize)")
            }
            output(tokenizer.decode(ids, skipSpecialTokens: skipSpecialTokens))
        }
    }

    /// Trains a byte-level BPE on text files (each line one sequence) and writes its `tokenizer.json` atomically;
    /// returns a one-line description.
    /// - Throws: `TokenizerError` for an unknown pre-tokenizer or unreadable files; write errors naming `output`.
    public static func train(_ trainer: BPETrainer, files: [URL], output: URL) throws -> String {
        let tokenizer = try trainer.train(files: files)
        try tokenizer.write(to: output)
        return "Wrote \(output.path): \(tokenizer.vocabularySize) tokens, \(tokenizer.merges.count) merges."
    }
}

/// Reads standard input line by line (without the newline).
public struct StandardInputLines: Sequence, IteratorProtocol {
    public init() {}
    public mutating func next() -> String? { readLine(strippingNewline: true) }
}
