import Foundation
import MLANTrain

/// A point of a loss curve.
public struct LossPoint: Codable, Sendable, Equatable {
    /// The optimizer step.
    public var step: Int
    /// The training loss logged at it.
    public var loss: Double
}

/// One training stage's outcome.
public struct StageResult: Codable, Sendable {
    /// `stage0_pretrain`, `stage1_align`, `stage2_{mixture}`.
    public var name: String
    /// Examples, tokens, FLOPs and seconds.
    public var efficiency: EfficiencyReport
    /// The logged loss curve.
    public var losses: [LossPoint]
}

/// One recipe (mixture) under one seed: its scores and its stage-2 run (nil for the untuned model).
public struct RecipeRun: Codable, Sendable {
    /// `none` or the mixture's name.
    public var name: String
    /// Share of language-only examples in its stage-2 mixture (nil: no stage 2).
    public var languageFraction: Double?
    /// One score per evaluated task.
    public var scores: [TaskScore]
    /// Its stage-2 run.
    public var training: StageResult?

    /// Mean accuracy over the zero-shot held-out tasks of `modality` (all modalities when nil); nil when none.
    public func average(_ modality: String?) -> Double? {
        let picked = scores.filter { $0.block == .heldOut && $0.zeroShot && (modality == nil || $0.modality == modality) }
        return picked.isEmpty ? nil : picked.map(\.accuracy).reduce(0, +) / Double(picked.count)
    }
}

/// Everything one seed produced.
public struct SeedRun: Codable, Sendable {
    /// The seed of the world, the initialisation and the data order.
    public var seed: UInt64
    /// Every training stage, in order.
    public var stages: [StageResult]
    /// `none`, then each mixture.
    public var recipes: [RecipeRun]
    /// Stage 1's caption loss on new scenes with their own and with other images (nil for older worlds).
    public var alignment: AlignmentProbe? = nil
}

/// A value measured once per seed, with its mean and sample standard deviation (0 for one seed).
public struct SeedStatistic: Codable, Sendable, Equatable {
    /// One value per seed, in seed order.
    public var perSeed: [Double]
    /// Their mean.
    public var mean: Double
    /// Their sample standard deviation.
    public var std: Double

    /// The statistic of `values` (one per seed).
    public init(_ values: [Double]) {
        perSeed = values
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        let m = mean
        std = values.count < 2 ? 0 : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    enum CodingKeys: String, CodingKey { case perSeed = "per_seed", mean, std }
}

/// One task's cell for one recipe, over the seeds.
public struct TaskCell: Codable, Sendable {
    /// The task's name.
    public var task: String
    /// Its cluster.
    public var cluster: String
    /// `"language"` or `"vision"`.
    public var modality: String
    /// Its table block.
    public var block: TaskBlock
    /// The manifests' verdict under every seed: true when no stage-2 mixture source shares the task's dataset
    /// or cluster. A held-out-block cell that is not held out is marked and never averaged.
    public var heldOut: Bool
    /// Accuracy per seed, its mean and sample standard deviation.
    public var perSeed: [Double]
    /// The mean accuracy.
    public var mean: Double
    /// The sample standard deviation across seeds.
    public var std: Double
    /// Mean over seeds of the chance and majority baselines of the evaluated documents.
    public var chance: Double
    /// Mean over seeds of the majority baseline.
    public var majority: Double
    /// Mean over seeds of the question-only baseline (nil unless every seed has one).
    public var questionOnly: Double?
    /// Accuracy on the image-swap twin (each document with another document's image) per seed (nil unless every
    /// seed has one).
    public var swappedImage: SeedStatistic?

    /// The accuracy as a statistic.
    public var accuracy: SeedStatistic { SeedStatistic(perSeed) }

    /// Per seed, the accuracy lost when each document gets another document's image: above zero beyond its spread,
    /// the answers come from the image.
    public var imageSwapDrop: SeedStatistic? {
        swappedImage.map { swapped in SeedStatistic(zip(perSeed, swapped.perSeed).map { $0 - $1 }) }
    }

    enum CodingKeys: String, CodingKey {
        case task, cluster, modality, block, heldOut = "held_out", perSeed = "per_seed", mean, std, chance, majority
        case questionOnly = "question_only", swappedImage = "swapped_image"
    }
}

/// One recipe over the seeds: its cells, averages and training cost.
public struct RecipeSummary: Codable, Sendable {
    /// `none` or the mixture's name.
    public var name: String
    /// Share of language-only examples in its mixture (nil: untuned).
    public var languageFraction: Double?
    /// One cell per task.
    public var cells: [TaskCell]
    /// Per-seed means of the zero-shot held-out cells: `"language"`, `"vision"`, `"overall"`.
    public var averages: [String: SeedStatistic]
    /// Stage-2 text and image tokens, FLOPs and seconds (per-seed values; zero for the untuned model).
    public var textTokens: SeedStatistic
    /// Stage-2 image tokens.
    public var imageTokens: SeedStatistic
    /// Stage-2 FLOPs.
    public var flops: SeedStatistic
    /// Stage-2 wall seconds.
    public var seconds: SeedStatistic
    /// Mean stage-2 FLOPs relative to the vision-heaviest mixture's (nil for the untuned model).
    public var relativeCost: Double?

    enum CodingKeys: String, CodingKey {
        case name, languageFraction = "language_fraction", cells, averages, textTokens = "text_tokens"
        case imageTokens = "image_tokens", flops, seconds, relativeCost = "relative_cost"
    }
}

/// The experiment's results over every seed: what `results.json` holds and the reports render.
public struct ExperimentReport: Codable, Sendable {
    /// The seeds run, in order.
    public var seeds: [UInt64]
    /// The recipe run.
    public var recipe: MicroRecipe
    /// Everything each seed produced.
    public var runs: [SeedRun]
    /// Each recipe over the seeds, in run order.
    public var recipes: [RecipeSummary]
    /// The whole experiment's wall time.
    public var wallSeconds: Double

    enum CodingKeys: String, CodingKey { case seeds, recipe, runs, recipes, wallSeconds = "wall_seconds" }

    /// The summary of `runs` (every run must hold the same recipes in the same order).
    public init(recipe: MicroRecipe, runs: [SeedRun], wallSeconds: Double) {
        self.seeds = runs.map(\.seed)
        self.recipe = recipe
        self.runs = runs
        self.wallSeconds = wallSeconds
        let names = runs.first?.recipes.map(\.name) ?? []
        var summaries: [RecipeSummary] = []
        for (index, name) in names.enumerated() {
            let perSeed = runs.compactMap { $0.recipes.indices.contains(index) ? $0.recipes[index] : nil }
            let taskNames = perSeed.first?.scores.map(\.name) ?? []
            let cells = taskNames.compactMap { task -> TaskCell? in
                let scores = perSeed.compactMap { run in run.scores.first { $0.name == task } }
                guard let first = scores.first else { return nil }
                let accuracy = SeedStatistic(scores.map(\.accuracy))
                return TaskCell(task: task, cluster: first.cluster, modality: first.modality, block: first.block,
                                heldOut: scores.allSatisfy(\.zeroShot), perSeed: accuracy.perSeed, mean: accuracy.mean,
                                std: accuracy.std,
                                chance: scores.map(\.chance).reduce(0, +) / Double(scores.count),
                                majority: scores.map(\.majority).reduce(0, +) / Double(scores.count),
                                questionOnly: scores.allSatisfy { $0.questionOnly != nil }
                                    ? scores.compactMap(\.questionOnly).reduce(0, +) / Double(scores.count) : nil,
                                swappedImage: scores.allSatisfy { $0.swappedImageAccuracy != nil }
                                    ? SeedStatistic(scores.compactMap(\.swappedImageAccuracy)) : nil)
            }
            var averages: [String: SeedStatistic] = [:]
            for (key, modality) in [("language", "language"), ("vision", "vision"), ("overall", nil)] as [(String, String?)] {
                let values = perSeed.compactMap { $0.average(modality) }
                if values.count == perSeed.count, !values.isEmpty { averages[key] = SeedStatistic(values) }
            }
            let efficiency = perSeed.map { $0.training?.efficiency ?? EfficiencyReport() }
            summaries.append(RecipeSummary(
                name: name, languageFraction: perSeed.first?.languageFraction, cells: cells, averages: averages,
                textTokens: SeedStatistic(efficiency.map { Double($0.textTokens) }),
                imageTokens: SeedStatistic(efficiency.map { Double($0.imageTokens) }),
                flops: SeedStatistic(efficiency.map(\.flops)), seconds: SeedStatistic(efficiency.map(\.seconds)),
                relativeCost: nil))
        }
        if let reference = summaries.filter({ $0.languageFraction != nil }).min(by: { ($0.languageFraction ?? 1) < ($1.languageFraction ?? 1) }),
           reference.flops.mean > 0 {
            for index in summaries.indices where summaries[index].languageFraction != nil {
                summaries[index].relativeCost = summaries[index].flops.mean / reference.flops.mean
            }
        }
        recipes = summaries
    }

    /// The summary of recipe `name`.
    public func summary(_ name: String) -> RecipeSummary? { recipes.first { $0.name == name } }

    /// Task names in table order: held-out language, held-out vision (NLVR last), then transfer tasks.
    public var taskNames: [String] {
        let cells = recipes.first?.cells ?? []
        let order: (TaskCell) -> Int = { cell in
            switch (cell.block, cell.modality) {
            case (.heldOut, "language"): 0
            case (.heldOut, _): cell.task == "nlvr" ? 2 : 1
            case (.transfer, _): 3
            }
        }
        return cells.enumerated().sorted { (order($0.element), $0.offset) < (order($1.element), $1.offset) }.map(\.element.task)
    }

    /// Writes `results.json`, `report.md` and `report.html` into `directory` (each atomically).
    /// - Throws: encoding and file errors.
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(self).write(to: directory.appendingPathComponent("results.json"), options: .atomic)
        try Data(markdown.utf8).write(to: directory.appendingPathComponent("report.md"), options: .atomic)
        try Data(html.utf8).write(to: directory.appendingPathComponent("report.html"), options: .atomic)
    }
}
