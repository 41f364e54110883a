import Foundation

extension ExperimentReport {
    /// `mean ± std` with three decimals.
    static func format(_ statistic: SeedStatistic?) -> String {
        guard let statistic, statistic.mean.isFinite else { return "–" }
        return String(format: "%.3f ± %.3f", statistic.mean, statistic.std)
    }

    /// The display name of a task, `micro_` dropped.
    static func label(_ task: String) -> String { task.replacingOccurrences(of: "micro_", with: "") }

    /// The zero-shot block's tasks, then the transfer block's.
    var heldOutTasks: [String] { taskNames.filter { name in recipes.first?.cells.first { $0.task == name }?.block == .heldOut } }
    var transferTasks: [String] { taskNames.filter { name in recipes.first?.cells.first { $0.task == name }?.block == .transfer } }

    /// The cell text: `mean ± std`, with `(seen)` when the manifest shows the task as trained.
    func cellText(_ recipe: RecipeSummary, _ task: String) -> String {
        guard let cell = recipe.cells.first(where: { $0.task == task }) else { return "–" }
        return Self.format(cell.accuracy) + (cell.heldOut ? "" : " (seen)")
    }

    /// A baseline row for `tasks` ("–" where a task has no such baseline).
    func baselineRow(_ name: String, _ tasks: [String], _ value: (TaskCell) -> Double?) -> [String] {
        [name] + tasks.map { task in
            recipes.first?.cells.first { $0.task == task }.flatMap(value).map { String(format: "%.3f", $0) } ?? "–"
        }
    }

    /// The baselines shown beside the cells: chance, majority, and the question-only baseline when a task has one.
    var baselines: [(name: String, value: (TaskCell) -> Double?)] {
        let rows: [(name: String, value: (TaskCell) -> Double?)] = [("chance", { $0.chance }), ("majority", { $0.majority })]
        let asked = recipes.contains { $0.cells.contains { $0.questionOnly != nil } }
        return rows + (asked ? [("question only", { $0.questionOnly })] : [])
    }

    /// Tasks with an image-swap twin, in table order.
    var swappedTasks: [String] { taskNames.filter { name in recipes.first?.cells.first { $0.task == name }?.swappedImage != nil } }

    /// The image-swap text of a cell: `own → swapped (drop ± std)`.
    func swapText(_ recipe: RecipeSummary, _ task: String) -> String {
        guard let cell = recipe.cells.first(where: { $0.task == task }), let swapped = cell.swappedImage,
              let drop = cell.imageSwapDrop else { return "–" }
        return String(format: "%.3f → %.3f (drop %+.3f ± %.3f)", cell.mean, swapped.mean, drop.mean, drop.std)
    }

    /// What the image-swap table says, above it.
    static let imageSwapNote = "Each vision cell asked again on the same documents with every document's image replaced by the "
        + "next document's. Answers read from the image lose accuracy; answers guessed from the question do not. "
        + "Cells: own image → another's (drop, mean ± std over seeds of the per-seed differences)."

    /// The highest baseline of `cell`: what it must beat to show a skill.
    static func bar(_ cell: TaskCell) -> Double { max(cell.chance, cell.majority, cell.questionOnly ?? 0) }

    /// The baselines a cell is compared with, as the findings name them.
    private var barName: String {
        baselines.count > 2 ? "chance, majority and the question-only baseline" : "chance and majority"
    }

    /// The results as Markdown: the zero-shot table with cost, the modality-transfer table, baselines beside
    /// every column, and findings stated only where a difference exceeds the spread across seeds.
    public var markdown: String {
        let seedList = seeds.map(String.init).joined(separator: ", ")
        var lines = ["# MLAN micro-world experiment", "",
                     "Seeds \(seedList) (each seeds the world, the initialisation and the data order). Cells: mean ± standard "
                         + "deviation over the seeds of exact-match accuracy under MLANEval's `mlan` protocol (assistant prefill, "
                         + "first clause, option text to letter, yes/no normalisation, exact match ignoring case and punctuation). "
                         + "`chance` is uniform guessing over each task's answers, `majority` always gives its most frequent answer, "
                         + "`question only` (where shown) the answer the world's training records most often give to the same "
                         + "question without the scene. "
                         + "A cell marked (seen) is a task the mixture's manifest shows as trained; it is never averaged.", "",
                     "## Zero-shot: held-out clusters and real NLVR", ""]
        let held = heldOutTasks
        let header = ["recipe"] + held.map(Self.label) + ["language avg", "vision avg", "overall",
                                                           "train tokens (text+image)", "GFLOP", "train s", "cost vs vision-heavy"]
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|" + Array(repeating: "---|", count: header.count).joined())
        for (name, value) in baselines {
            let row = baselineRow(name, held, value) + groupBaselines(value) + ["", "", "", ""]
            lines.append("| " + row.joined(separator: " | ") + " |")
        }
        for recipe in recipes {
            var row = [recipe.name + (recipe.languageFraction.map { String(format: " (%.0f%% lang)", $0 * 100) } ?? "")]
            row += held.map { cellText(recipe, $0) }
            row += ["language", "vision", "overall"].map { Self.format(recipe.averages[$0]) }
            row += [String(format: "%.0f (%.0f+%.0f)", recipe.textTokens.mean + recipe.imageTokens.mean, recipe.textTokens.mean,
                           recipe.imageTokens.mean),
                    String(format: "%.2f", recipe.flops.mean / 1e9), String(format: "%.1f ± %.1f", recipe.seconds.mean, recipe.seconds.std),
                    recipe.relativeCost.map { String(format: "%.2f", $0) } ?? "–"]
            lines.append("| " + row.joined(separator: " | ") + " |")
        }
        let transfer = transferTasks
        if !transfer.isEmpty {
            lines += ["", "## Modality transfer: trained clusters, asked in text and on images", "",
                      "Text-only tuning (mlan) sees these clusters only as text; its vision cells measure transfer to images.", ""]
            let header = ["recipe"] + transfer.map(Self.label)
            lines.append("| " + header.joined(separator: " | ") + " |")
            lines.append("|" + Array(repeating: "---|", count: header.count).joined())
            for (name, value) in baselines {
                lines.append("| " + baselineRow(name, transfer, value).joined(separator: " | ") + " |")
            }
            for recipe in recipes {
                lines.append("| " + ([recipe.name] + transfer.map { cellText(recipe, $0) }).joined(separator: " | ") + " |")
            }
        }
        let swapped = swappedTasks
        if !swapped.isEmpty {
            lines += ["", "## Image swap: are vision answers read from the image?", "", Self.imageSwapNote, ""]
            let header = ["recipe"] + swapped.map(Self.label)
            lines.append("| " + header.joined(separator: " | ") + " |")
            lines.append("|" + Array(repeating: "---|", count: header.count).joined())
            for recipe in recipes {
                lines.append("| " + ([recipe.name] + swapped.map { swapText(recipe, $0) }).joined(separator: " | ") + " |")
            }
        }
        lines += ["", "## Findings (a difference is called only where it exceeds the sum of the two standard deviations)", ""]
        lines += findings.map { "- " + $0 }
        lines += ["", "## Stages (mean over seeds)", ""]
        for (index, stage) in (runs.first?.stages ?? []).enumerated() {
            let same = runs.compactMap { $0.stages.indices.contains(index) ? $0.stages[index] : nil }
            let seconds = SeedStatistic(same.map(\.efficiency.seconds))
            let loss = SeedStatistic(same.compactMap { $0.losses.last?.loss })
            let e = stage.efficiency
            lines.append(String(format: "- %@: %d steps, %d examples, %d text + %d image tokens, %.1f ± %.1f s, final loss %@",
                                stage.name, e.optimizerSteps, e.examples, e.textTokens, e.imageTokens, seconds.mean, seconds.std,
                                Self.format(loss)))
        }
        lines += ["", String(format: "Wall time: %.0f s for %d seeds. Per-seed values, standard errors and document counts "
                             + "are in results.json.", wallSeconds, seeds.count)]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The mean baseline of the zero-shot cells in each average, for the average columns ("–" when a cell has none).
    private func groupBaselines(_ value: (TaskCell) -> Double?) -> [String] {
        let cells = (recipes.first?.cells ?? []).filter { $0.block == .heldOut }
        return [{ $0.modality == "language" }, { $0.modality == "vision" }, { (_: TaskCell) in true }].map { keep in
            let values = cells.filter(keep).map(value)
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return "–" }
            return String(format: "%.3f", values.compactMap { $0 }.reduce(0, +) / Double(values.count))
        }
    }

    /// Sentences comparing recipes and baselines, each calling a difference only beyond the spread.
    public var findings: [String] {
        var out: [String] = []
        func compare(_ a: SeedStatistic?, _ b: SeedStatistic?) -> String? {
            guard let a, let b, a.mean.isFinite, b.mean.isFinite else { return nil }
            let difference = a.mean - b.mean, spread = a.std + b.std
            let verdict = abs(difference) > spread ? (difference > 0 ? "higher" : "lower") : "no difference beyond the spread"
            return String(format: "%@ (%+.3f, spread %.3f)", verdict, difference, spread)
        }
        let pairs = [("mlan", "none"), ("mlan", "vision_heavy"), ("mlan_v", "vision_heavy"), ("vision_heavy", "none")]
        for (a, b) in pairs {
            guard let left = summary(a), let right = summary(b) else { continue }
            let parts = ["language", "vision", "overall"].compactMap { key in
                compare(left.averages[key], right.averages[key]).map { "\(key) \($0)" }
            }
            if !parts.isEmpty { out.append("\(a) vs \(b), zero-shot averages: " + parts.joined(separator: "; ") + ".") }
        }
        for recipe in recipes {
            let cells = recipe.cells.filter { $0.block == .heldOut && $0.heldOut }
            let above = cells.filter { $0.mean - $0.std > Self.bar($0) }.map { Self.label($0.task) }
            let below = cells.filter { $0.mean + $0.std < $0.chance }.map { Self.label($0.task) }
            out.append("\(recipe.name): above \(barName) beyond the spread on "
                + (above.isEmpty ? "no held-out task" : above.joined(separator: ", "))
                + (below.isEmpty ? "" : "; below chance on " + below.joined(separator: ", ")) + ".")
            // A positive control trained on held-out clusters: can the model learn them at all?
            let seen = recipe.cells.filter { $0.block == .heldOut && !$0.heldOut }
            if !seen.isEmpty {
                let learned = seen.filter { $0.mean - $0.std > Self.bar($0) }.map { Self.label($0.task) }
                out.append("\(recipe.name), trained on \(seen.count) held-out tasks (seen, never averaged): above "
                    + "\(barName) beyond the spread on " + (learned.isEmpty ? "none of them" : learned.joined(separator: ", ")) + ".")
            }
        }
        if let mlan = summary("mlan"), let none = summary("none") {
            for task in transferTasks where task.hasSuffix("_vision") {
                let a = mlan.cells.first { $0.task == task }, b = none.cells.first { $0.task == task }
                if let verdict = compare(a?.accuracy, b?.accuracy) {
                    out.append("Transfer, \(Self.label(task)) (trained in text only by mlan): mlan vs none \(verdict).")
                }
            }
        }
        if !swappedTasks.isEmpty {
            let verdicts = recipes.map { recipe in
                let reading = recipe.cells.filter { cell in cell.imageSwapDrop.map { $0.mean > $0.std } ?? false }
                return "\(recipe.name) on " + (reading.isEmpty ? "no vision task" : reading.map { Self.label($0.task) }.joined(separator: ", "))
            }
            out.append("Answers read from the image (another document's image lowers the accuracy beyond the spread): "
                + verdicts.joined(separator: "; ") + ".")
        }
        let probes = runs.compactMap(\.alignment)
        if probes.count == runs.count, let first = probes.first {
            let matched = SeedStatistic(probes.map(\.matchedLoss)), other = SeedStatistic(probes.map(\.mismatchedLoss))
            let reading = probes.filter(\.readsImages).count
            let verdict = reading == probes.count ? "reads its images in every seed"
                : reading == 0 ? "does not read its images in any seed" : "reads its images in \(reading) of \(probes.count) seeds"
            out.append("Stage 1 \(verdict) (the right image lowers the caption loss by more than twice its standard error): "
                + "caption loss on \(first.captions) new scenes \(Self.format(matched)) with their own images, "
                + "\(Self.format(other)) with another scene's; gain per seed "
                + probes.map { String(format: "%.3f ± %.3f", $0.gain, $0.gainStandardError) }.joined(separator: ", ")
                + " nats a token.")
        }
        return out
    }
}
