import Foundation
import MLANSupport
import MLANTrain

/// The SmolLM2 experiment's results: one row per model (base SmolLM2, aligned only, each recipe) with its
/// zero-shot scores and stage-2 cost, every stage's cost and loss curve, and how the run was made. What
/// `results.json` holds and `report.md` / `report.html` render.
public struct SmolLM2ExperimentReport: Codable, Sendable {
    /// One model's scores.
    public struct Row: Codable, Sendable {
        /// `base`, `aligned` or the mixture's name.
        public var name: String
        /// Share of language-only examples in its stage-2 mixture (nil: no stage 2).
        public var languageFraction: Double?
        /// One score per evaluated task (`boolq:lm-eval`, `boolq:mlan`, `micro_…`, `nlvr`, `scienceqa_img`).
        public var scores: [TaskScore]
        /// Its stage-2 run (nil for base and aligned).
        public var training: StageResult?

        enum CodingKeys: String, CodingKey { case name, languageFraction = "language_fraction", scores, training }

        /// Mean accuracy over this row's zero-shot scores that `include` selects; nil when none.
        func average(_ include: (TaskScore) -> Bool) -> Double? {
            let picked = scores.filter { $0.zeroShot && include($0) }
            return picked.isEmpty ? nil : picked.map(\.accuracy).reduce(0, +) / Double(picked.count)
        }

        /// The averages the table shows: real language tasks per protocol, vision (real images and micro image
        /// clusters) under `mlan`.
        var averages: [String: Double] {
            var out: [String: Double] = [:]
            out["language_lm_eval"] = average { $0.name.hasSuffix(":lm-eval") }
            out["language_mlan"] = average { $0.name.hasSuffix(":mlan") }
            out["vision"] = average { $0.modality == "vision" }
            return out
        }
    }

    public var command: String
    public var commit: String
    public var seed: UInt64
    /// A `--quick` run: a smoke test of the pipeline, not a result.
    public var smokeRun: Bool
    public var config: SmolLM2ExperimentConfig
    /// Every training stage in order: stage 1, then each mixture's stage 2.
    public var stages: [StageResult]
    public var rows: [Row]
    public var wallSeconds: Double
    /// Per row, its averages (see ``Row``), for readers of `results.json`.
    public var averages: [String: [String: Double]]

    enum CodingKeys: String, CodingKey {
        case command, commit, seed, smokeRun = "smoke_run", config, stages, rows, wallSeconds = "wall_seconds", averages
    }

    public init(config: SmolLM2ExperimentConfig, command: String, commit: String, smokeRun: Bool, stages: [StageResult],
                rows: [Row], wallSeconds: Double) {
        self.command = command
        self.commit = commit
        seed = config.seed
        self.smokeRun = smokeRun
        self.config = config
        self.stages = stages
        self.rows = rows
        self.wallSeconds = wallSeconds
        averages = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0.averages) })
    }

    /// Task names in table order: language tasks under lm-eval, under mlan, held-out micro clusters, real images.
    var taskNames: [String] {
        var names: [String] = []
        for row in rows { for score in row.scores where !names.contains(score.name) { names.append(score.name) } }
        func rank(_ name: String) -> Int {
            name.hasSuffix(":lm-eval") ? 0 : name.hasSuffix(":mlan") ? 1 : name.hasPrefix("micro_") ? 2 : 3
        }
        return names.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// The score of `task` in `row`, if evaluated.
    func score(_ row: Row, _ task: String) -> TaskScore? { row.scores.first { $0.name == task } }

    /// Chance and majority of `task` (the same documents for every row).
    func baseline(_ task: String) -> TaskScore? { rows.lazy.compactMap { self.score($0, task) }.first }

    /// Stage 1's cost, shared by every row but base.
    var alignStage: StageResult? { stages.first { $0.name == "stage1_align" } }

    /// Writes `results.json`, `report.md` and `report.html` into `directory` (each atomically).
    /// - Throws: encoding and file errors.
    public func write(to directory: URL) throws {
        try SmolLM2Experiment.writeJSON(self, to: directory.appendingPathComponent("results.json"))
        try AtomicFile.write(Array(markdown.utf8), to: directory.appendingPathComponent("report.md"))
        try AtomicFile.write(Array(html.utf8), to: directory.appendingPathComponent("report.html"))
    }
}

extension SmolLM2ExperimentReport {
    static func percent(_ value: Double?) -> String { value.map { String(format: "%.1f", 100 * $0) } ?? "–" }

    static func flops(_ value: Double) -> String {
        value == 0 ? "0" : String(format: "%.2e", value)
    }

    /// `text` escaped, with Markdown's `**bold**` and `` `code` `` as HTML.
    static func inlineHTML(_ text: String) -> String {
        var out = "", bold = false, code = false
        var rest = Substring(ExperimentReport.escape(text))
        while let first = rest.first {
            if rest.hasPrefix("**") && !code {
                out += bold ? "</strong>" : "<strong>"
                bold.toggle()
                rest = rest.dropFirst(2)
            } else if first == "`" {
                out += code ? "</code>" : "<code>"
                code.toggle()
                rest = rest.dropFirst()
            } else {
                out.append(first)
                rest = rest.dropFirst()
            }
        }
        return out
    }

    /// A row's averages and stage-2 cost, as the table's last seven cells.
    func summaryCells(_ row: Row) -> [String] {
        let averages = row.averages
        var cells = [Self.percent(averages["language_lm_eval"]), Self.percent(averages["language_mlan"]),
                     Self.percent(averages["vision"])]
        guard let cost = row.training?.efficiency else { return cells + ["–", "–", "–", "–"] }
        cells += [String(cost.textTokens), String(cost.imageTokens), Self.flops(cost.flops), String(format: "%.0f", cost.seconds)]
        return cells
    }

    /// The header lines: what ran, how, and every N.
    var preamble: [String] {
        let eval = config.evaluation
        var lines = [
            "Command: `\(command)`; commit \(commit); seed \(seed); wall time \(TrainLogClock.format(wallSeconds)).",
            "Base model `\(config.languageModel)`; stage-2 template `\(config.template)` (SmolLM2's own chat template); "
                + (config.lora.map { "LoRA rank \($0.rank), alpha \($0.alpha) on \($0.targets.joined(separator: ", "))" }
                    ?? "full fine-tuning of projector and language model") + ".",
            "N: first \(eval.languageLimit) documents per language task (\(eval.protocols.joined(separator: " and ")) protocols), "
                + "first \(eval.visionLimit) per real-image task, first \(eval.microLimit) per held-out micro cluster; "
                + "\(config.mixtureSize) examples per stage-2 mixture; \(config.world.captions) stage-1 captions.",
            "Accuracy in %; lm-eval columns are log-likelihood multiple choice on plain prompts, mlan columns greedy "
                + "generation with the chat template and the paper's filters. A cell marked * was trained on (manifest) "
                + "and is left out of the averages.",
        ]
        if smokeRun {
            lines.insert("**Smoke run (`--quick`): tiny counts, the numbers test the pipeline and mean nothing.**", at: 0)
        }
        return lines
    }

    /// `report.md`: the main table (rows × tasks, averages, cost), baselines, and the stages' cost.
    public var markdown: String {
        let tasks = taskNames
        var out = "# MLAN on SmolLM2-135M-Instruct\n\n" + preamble.map { $0 + "\n" }.joined(separator: "\n") + "\n"
        let header = ["model"] + tasks + ["lang avg (lm-eval)", "lang avg (mlan)", "vision avg", "text tokens",
                                          "image tokens", "FLOPs", "seconds"]
        out += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for (label, value) in [("chance", \TaskScore.chance), ("majority", \TaskScore.majority)] {
            out += "| _\(label)_ | " + tasks.map { baseline($0).map { Self.percent($0[keyPath: value]) } ?? "–" }
                .joined(separator: " | ") + String(repeating: " | ", count: 7) + " |\n"
        }
        for row in rows {
            let cells = tasks.map { task -> String in
                guard let score = score(row, task) else { return "–" }
                return Self.percent(score.accuracy) + (score.zeroShot ? "" : "*")
            }
            out += "| \(row.name) | " + cells.joined(separator: " | ") + " | " + summaryCells(row).joined(separator: " | ") + " |\n"
        }
        out += "\nCost columns are stage 2 only; stage 1 (shared by every row but base) is below.\n\n"
        out += "## Training stages\n\n| stage | examples | steps | text tokens | image tokens | FLOPs | seconds | final loss |\n"
            + "|---|---|---|---|---|---|---|---|\n"
        for stage in stages {
            let e = stage.efficiency
            out += "| \(stage.name) | \(e.examples) | \(e.optimizerSteps) | \(e.textTokens) | \(e.imageTokens) | "
                + "\(Self.flops(e.flops)) | \(String(format: "%.0f", e.seconds)) | "
                + (stage.losses.last.map { String(format: "%.3f", $0.loss) } ?? "–") + " |\n"
        }
        return out
    }

    /// `report.html`: the same tables and the training curves as inline SVG.
    public var html: String {
        let tasks = taskNames
        let escape = ExperimentReport.escape
        var body = "<h1>MLAN on SmolLM2-135M-Instruct</h1>\n" + preamble.map { "<p>\(Self.inlineHTML($0))</p>" }.joined(separator: "\n")
        body += "\n<h2>Zero-shot results</h2>\n<div style=\"overflow-x:auto\"><table><tr><th>model</th>"
            + tasks.map { "<th>\(escape($0))</th>" }.joined()
            + "<th>lang avg (lm-eval)</th><th>lang avg (mlan)</th><th>vision avg</th><th>text tokens</th><th>image tokens</th>"
            + "<th>FLOPs</th><th>seconds</th></tr>\n"
        for (label, value) in [("chance", \TaskScore.chance), ("majority", \TaskScore.majority)] {
            body += "<tr class=\"baseline\"><td>\(label)</td>"
                + tasks.map { "<td>\(baseline($0).map { Self.percent($0[keyPath: value]) } ?? "–")</td>" }.joined()
                + String(repeating: "<td></td>", count: 7) + "</tr>\n"
        }
        for row in rows {
            body += "<tr><td>\(escape(row.name))</td>" + tasks.map { task in
                guard let score = score(row, task) else { return "<td>–</td>" }
                return "<td>\(Self.percent(score.accuracy))\(score.zeroShot ? "" : "*")</td>"
            }.joined()
            body += summaryCells(row).map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        body += "</table></div>\n<h2>Training stages</h2>\n<table><tr><th>stage</th><th>examples</th><th>steps</th>"
            + "<th>text tokens</th><th>image tokens</th><th>FLOPs</th><th>seconds</th></tr>\n"
        for stage in stages {
            let e = stage.efficiency
            body += "<tr><td>\(escape(stage.name))</td><td>\(e.examples)</td><td>\(e.optimizerSteps)</td><td>\(e.textTokens)</td>"
                + "<td>\(e.imageTokens)</td><td>\(Self.flops(e.flops))</td><td>\(String(format: "%.0f", e.seconds))</td></tr>\n"
        }
        body += "</table>\n<h2>Training curves</h2>\n"
            + ExperimentReport.lossChart(stages, ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"]) + "\n"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>MLAN on SmolLM2-135M-Instruct</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
        tr.baseline td{color:#777;font-style:italic}svg text{font-size:11px}</style></head><body>
        \(body)</body></html>

        """
    }
}
