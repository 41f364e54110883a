import Foundation
import MLANData

/// The question-only baseline of a task: each document gets the answer that training records most often give to
/// the same question, the scene removed (an `<image>` line, or a first line opening with ``MicroPrompt``'s scene
/// label); with lettered options (`A: blue`), the letter of the offered option most often given. A model that
/// learned which answer goes with which question and never read the scene scores about this; one that reads the
/// scene can beat it.
/// `Scripts/question_prior.py` computes the same from a finished run's files.
public struct QuestionOnlyBaseline: Sendable, Equatable {
    /// Answer counts per question, and over all questions (for a question the records never ask).
    private var byQuestion: [String: [String: Int]] = [:]
    private var overall: [String: Int] = [:]

    /// The baseline of `records`: each record's first user turn and the reply after it.
    public init(records: [InstructionRecord]) {
        for record in records {
            guard let ask = record.turns.firstIndex(where: { $0.role == .user }), ask + 1 < record.turns.count else { continue }
            let reply = Self.reply(record.turns[ask + 1].text)
            byQuestion[Self.question(of: record.turns[ask].text), default: [:]][reply, default: 0] += 1
            overall[reply, default: 0] += 1
        }
    }

    /// The baseline of the records in `files` (LLaVA conversation JSON or JSON Lines).
    /// - Throws: `DatasetError` naming the file and record of the first invalid record.
    public init(files: [URL]) throws {
        self.init(records: try files.flatMap { try InstructionDataset.load(from: $0).records })
    }

    /// The baseline's answer to the question turn `prompt`; empty when the records held no answers.
    public func answer(to prompt: String) -> String {
        let counts = byQuestion[Self.question(of: prompt)] ?? overall
        let options = Self.options(in: prompt)
        if options.isEmpty {
            // Most frequent; ties go to the alphabetically first answer, so the baseline is the same every run.
            return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? ""
        }
        return options.max { (counts[$0.text] ?? 0) < (counts[$1.text] ?? 0) }?.letter ?? ""
    }

    /// `prompt` without its scene and its option lines.
    static func question(of prompt: String) -> String {
        var lines = prompt.replacingOccurrences(of: InstructionRecord.imageToken + "\n", with: "")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let sceneLabels = [MicroPrompt.sceneLabel, MicroPrompt.contextLabel]
        if let first = lines.first, sceneLabels.contains(where: first.hasPrefix) { lines.removeFirst() }
        return lines.filter { optionLine($0) == nil }.joined(separator: "\n")
    }

    /// A reply as exact match compares it: the first quoted answer if any, trimmed, lower case, true/false as yes/no.
    static func reply(_ text: String) -> String {
        let parts = text.split(separator: "\"", omittingEmptySubsequences: false)
        let answer = (parts.count >= 3 ? String(parts[1]) : text).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return ["true": "yes", "false": "no"][answer] ?? answer
    }

    /// The lettered options of `prompt`, in order, their text as ``reply(_:)`` normalizes it.
    static func options(in prompt: String) -> [(letter: String, text: String)] {
        prompt.split(separator: "\n").compactMap { optionLine(String($0)) }
    }

    /// `("B", "yellow")` for the line `B: yellow`; nil for any other line.
    private static func optionLine(_ line: String) -> (letter: String, text: String)? {
        guard let first = line.first, first.isASCII, first.isUppercase, line.dropFirst().hasPrefix(": ") else { return nil }
        return (String(first), reply(String(line.dropFirst(3))))
    }
}
