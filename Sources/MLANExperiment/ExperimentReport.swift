import Foundation
import MLANTrain

/// A point of a loss curve.
public struct LossPoint: Codable, Sendable, Equatable {
    public var step: Int
    public var loss: Double
}

/// One training stage's outcome.
public struct StageResult: Codable, Sendable {
    public var name: String
    public var efficiency: EfficiencyReport
    public var losses: [LossPoint]
}

/// One recipe (mixture) and its zero-shot scores.
public struct RecipeResult: Codable, Sendable {
    public var name: String
    /// Share of language-only examples in its stage-2 mixture (nil: no stage 2).
    public var languageFraction: Double?
    public var scores: [TaskScore]
    /// Its stage-2 run (nil for the untuned model).
    public var training: StageResult?

    /// Mean accuracy over the zero-shot tasks of `modality` (nil when there are none).
    public func average(_ modality: String?) -> Double? {
        let picked = scores.filter { $0.zeroShot && (modality == nil || $0.modality == modality) }
        return picked.isEmpty ? nil : picked.map(\.accuracy).reduce(0, +) / Double(picked.count)
    }
}

/// The experiment's results: what `results.json` holds and the reports render.
public struct ExperimentReport: Codable, Sendable {
    public var seed: UInt64
    public var recipe: MicroRecipe
    public var stages: [StageResult]
    public var recipes: [RecipeResult]
    public var wallSeconds: Double

    /// Stage-2 FLOPs of `recipe` relative to the vision-heaviest mixture's.
    public func relativeCost(_ recipe: RecipeResult) -> Double? {
        guard let flops = recipe.training?.efficiency.flops,
              let reference = recipes.filter({ $0.training != nil }).min(by: { ($0.languageFraction ?? 1) < ($1.languageFraction ?? 1) }),
              let referenceFlops = reference.training?.efficiency.flops, referenceFlops > 0 else { return nil }
        return flops / referenceFlops
    }

    /// Task names in report order: zero-shot tasks (vision then language, by cluster), then seen references.
    public var taskNames: [String] {
        var seen: [String] = []
        let ordered = recipes.flatMap(\.scores).sorted {
            ($0.zeroShot ? 1 : 0, $0.modality, $0.cluster) > ($1.zeroShot ? 1 : 0, $1.modality, $1.cluster)
        }
        for score in ordered where !seen.contains(score.name) { seen.append(score.name) }
        return seen
    }

    /// The display name of a task: seen references are marked.
    func label(_ task: String) -> String {
        let isReference = recipes.flatMap(\.scores).contains { $0.name == task && !$0.zeroShot }
        return task.replacingOccurrences(of: "micro_", with: "") + (isReference ? " (seen)" : "")
    }

    /// Writes `results.json`, `report.md` and `report.html` into `directory` (each atomically).
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent("results.json"), options: .atomic)
        try Data(markdown.utf8).write(to: directory.appendingPathComponent("report.md"), options: .atomic)
        try Data(html.utf8).write(to: directory.appendingPathComponent("report.html"), options: .atomic)
    }

    /// The results table as Markdown.
    public var markdown: String {
        let tasks = taskNames
        var lines = ["# MLAN micro-world experiment (seed \(seed))", "",
                     "Zero-shot accuracy (exact match) on held-out task clusters; columns marked (seen) are trained clusters",
                     "evaluated as a reference and left out of the averages. Stage-2 training cost per recipe.", ""]
        let header = ["recipe"] + tasks.map(label) + ["zero-shot language avg", "zero-shot vision avg", "zero-shot all avg", "train tokens (text+image)",
                                          "train s", "GFLOP", "cost vs vision-heavy"]
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|" + Array(repeating: "---|", count: header.count).joined())
        for recipe in recipes {
            var row = [recipe.name + (recipe.languageFraction.map { String(format: " (%.0f%% lang)", $0 * 100) } ?? "")]
            for task in tasks {
                row.append(recipe.scores.first { $0.name == task }.map { String(format: "%.3f", $0.accuracy) } ?? "–")
            }
            for modality in ["language", "vision", nil] as [String?] {
                row.append(recipe.average(modality).map { String(format: "%.3f", $0) } ?? "–")
            }
            if let e = recipe.training?.efficiency {
                row += ["\(e.textTokens + e.imageTokens) (\(e.textTokens)+\(e.imageTokens))", String(format: "%.1f", e.seconds),
                        String(format: "%.1f", e.flops / 1e9), relativeCost(recipe).map { String(format: "%.2f", $0) } ?? "–"]
            } else {
                row += ["0", "0", "0", "–"]
            }
            lines.append("| " + row.joined(separator: " | ") + " |")
        }
        lines += ["", "Stages:", ""]
        for stage in stages {
            let e = stage.efficiency
            lines.append(String(format: "- %@: %d steps, %d examples, %d text + %d image tokens, %.1f s, final loss %.3f",
                                stage.name, e.optimizerSteps, e.examples, e.textTokens, e.imageTokens, e.seconds,
                                stage.losses.last?.loss ?? .nan))
        }
        lines += ["", String(format: "Wall time: %.0f s. Standard errors and per-task document counts are in results.json.", wallSeconds)]
        return lines.joined(separator: "\n") + "\n"
    }
}
