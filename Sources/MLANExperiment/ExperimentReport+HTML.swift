import Foundation

extension ExperimentReport {
    /// A self-contained page: the tables (Markdown rendered as HTML tables), accuracy bars with error bars and
    /// chance lines per block, the findings, and the loss curves of the first seed (inline SVG).
    public var html: String {
        let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"]
        var body = "<h1>MLAN micro-world experiment</h1>\n<p>Seeds \(seeds.map(String.init).joined(separator: ", ")); "
            + "exact-match accuracy under the <code>mlan</code> protocol, mean ± standard deviation over seeds; "
            + "wall time \(Int(wallSeconds)) s.</p>\n"
        body += "<h2>Zero-shot: held-out clusters and real NLVR</h2>\n" + accuracyChart(heldOutTasks, averages: true, palette) + "\n"
        body += "<div style=\"overflow-x:auto\">" + table(heldOutTasks) + "</div>\n"
        if !transferTasks.isEmpty {
            body += "<h2>Modality transfer: trained clusters in text and on images</h2>\n"
                + accuracyChart(transferTasks, averages: false, palette) + "\n" + table(transferTasks) + "\n"
        }
        if !swappedTasks.isEmpty {
            body += "<h2>Image swap: are vision answers read from the image?</h2>\n<p>\(Self.escape(Self.imageSwapNote))</p>\n"
                + "<table><tr><th>recipe</th>" + swappedTasks.map { "<th>\(Self.escape(Self.label($0)))</th>" }.joined() + "</tr>\n"
                + recipes.map { recipe in
                    "<tr><td>\(Self.escape(recipe.name))</td>" + swappedTasks.map { "<td>\(Self.escape(swapText(recipe, $0)))</td>" }.joined() + "</tr>"
                }.joined(separator: "\n") + "</table>\n"
        }
        body += "<h2>Findings</h2>\n<ul>" + findings.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>\n"
        body += "<h2>Training loss (seed \(seeds.first.map(String.init) ?? "–"))</h2>\n" + lossChart(palette) + "\n"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>MLAN micro-world experiment</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
        tr.baseline td{color:#777;font-style:italic}svg text{font-size:11px}</style></head><body>
        \(body)</body></html>

        """
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private func table(_ tasks: [String]) -> String {
        let averages = tasks == heldOutTasks
        var rows = ["<table><tr><th>recipe</th>" + tasks.map { "<th>\(Self.escape(Self.label($0)))</th>" }.joined()
            + (averages ? "<th>language avg</th><th>vision avg</th><th>overall</th><th>train s</th><th>cost vs vision-heavy</th>" : "")
            + "</tr>"]
        for (name, value) in baselines {
            let cells = baselineRow(name, tasks, value).map { "<td>\(Self.escape($0))</td>" }.joined()
            rows.append("<tr class=\"baseline\">" + cells + (averages ? String(repeating: "<td></td>", count: 5) : "") + "</tr>")
        }
        for recipe in recipes {
            var cells = ["<td>\(Self.escape(recipe.name))</td>"] + tasks.map { "<td>\(Self.escape(cellText(recipe, $0)))</td>" }
            if averages {
                cells += ["language", "vision", "overall"].map { "<td>\(Self.escape(Self.format(recipe.averages[$0])))</td>" }
                cells.append(String(format: "<td>%.1f</td>", recipe.seconds.mean))
                cells.append("<td>" + (recipe.relativeCost.map { String(format: "%.2f", $0) } ?? "–") + "</td>")
            }
            rows.append("<tr>" + cells.joined() + "</tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    /// Grouped bars: one group per task (plus the averages), one bar per recipe with a ±std error bar, and a
    /// dashed line at each group's chance level.
    private func accuracyChart(_ tasks: [String], averages: Bool, _ palette: [String]) -> String {
        let groups = tasks + (averages ? ["language", "vision", "overall"] : [])
        let (width, height, left, bottom) = (1100.0, 320.0, 40.0, 100.0)
        let plotHeight = height - bottom - 10
        let groupWidth = (width - left) / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(recipes.count, 1))
        var svg = "<svg width=\"\(Int(width) + 40)\" height=\"\(Int(height + 30))\" role=\"img\" aria-label=\"accuracy by task and recipe\">"
        let y = { (value: Double) in 10 + plotHeight * (1 - min(max(value, 0), 1)) }
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<line x1=\"\(left)\" x2=\"\(width)\" y1=\"\(y(tick))\" y2=\"\(y(tick))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"2\" y=\"\(y(tick) + 4)\">\(String(format: "%.2f", tick))</text>"
        }
        let cellsByTask = Dictionary((recipes.first?.cells ?? []).map { ($0.task, $0) }, uniquingKeysWith: { a, _ in a })
        for (g, group) in groups.enumerated() {
            let x0 = left + Double(g) * groupWidth + groupWidth * 0.1
            let isAverage = g >= tasks.count
            for (r, recipe) in recipes.enumerated() {
                let statistic = isAverage ? recipe.averages[group] : recipe.cells.first { $0.task == group }?.accuracy
                guard let statistic, statistic.mean.isFinite else { continue }
                let x = x0 + Double(r) * barWidth
                svg += "<rect x=\"\(x)\" y=\"\(y(statistic.mean))\" width=\"\(barWidth * 0.92)\" "
                    + "height=\"\(y(0) - y(statistic.mean))\" fill=\"\(palette[r % palette.count])\"><title>\(Self.escape(recipe.name)) "
                    + "\(Self.escape(group)): \(Self.escape(Self.format(statistic)))</title></rect>"
                let centre = x + barWidth * 0.46
                svg += "<line x1=\"\(centre)\" x2=\"\(centre)\" y1=\"\(y(statistic.mean + statistic.std))\" "
                    + "y2=\"\(y(statistic.mean - statistic.std))\" stroke=\"#222\"/>"
            }
            if let cell = cellsByTask[group] {
                svg += "<line x1=\"\(x0 - 2)\" x2=\"\(x0 + groupWidth * 0.8 + 2)\" y1=\"\(y(cell.chance))\" y2=\"\(y(cell.chance))\" "
                    + "stroke=\"#000\" stroke-dasharray=\"4 3\"><title>chance \(String(format: "%.3f", cell.chance))</title></line>"
            }
            let name = Self.escape(isAverage ? group + " avg" : Self.label(group))
            svg += "<text transform=\"translate(\(x0 + groupWidth * 0.3),\(height - bottom + 18)) rotate(30)\">\(name)</text>"
        }
        for (r, recipe) in recipes.enumerated() {
            let x = left + Double(r) * 150
            svg += "<rect x=\"\(x)\" y=\"\(height + 12)\" width=\"12\" height=\"12\" fill=\"\(palette[r % palette.count])\"/>"
            svg += "<text x=\"\(x + 16)\" y=\"\(height + 22)\">\(Self.escape(recipe.name))</text>"
        }
        svg += "<text x=\"\(left + Double(recipes.count) * 150)\" y=\"\(height + 22)\">- - - chance; bars: mean ± std over seeds</text>"
        return svg + "</svg>"
    }

    /// One polyline per stage: loss against the fraction of the stage done.
    private func lossChart(_ palette: [String]) -> String { Self.lossChart(runs.first?.stages ?? [], palette) }

    /// Inline SVG: one polyline per stage, loss against the fraction of the stage done, with a legend.
    static func lossChart(_ stages: [StageResult], _ palette: [String]) -> String {
        let (width, height, left) = (980.0, 300.0, 40.0)
        let peak = max(stages.flatMap(\.losses).map(\.loss).filter(\.isFinite).max() ?? 1, 1e-9)
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height + 30 + 16 * Double((stages.count + 3) / 4)))\" role=\"img\" aria-label=\"training loss\">"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = 10 + (height - 20) * (1 - tick)
            svg += "<line x1=\"\(left)\" x2=\"\(width)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"2\" y=\"\(y + 4)\">\(String(format: "%.2f", tick * peak))</text>"
        }
        for (s, stage) in stages.enumerated() {
            guard let lastPoint = stage.losses.last else { continue }
            let last = Double(max(lastPoint.step, 1))
            let points = stage.losses.filter { $0.loss.isFinite }.map { p in
                String(format: "%.1f,%.1f", left + (width - left - 10) * Double(p.step) / last,
                       10 + (height - 20) * (1 - p.loss / peak))
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"\(palette[s % palette.count])\" points=\"\(points)\"/>"
            let x = left + Double(s % 4) * 230, y = height + 12 + 16 * Double(s / 4)
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"12\" height=\"3\" fill=\"\(palette[s % palette.count])\"/>"
            svg += "<text x=\"\(x + 16)\" y=\"\(y + 5)\">\(Self.escape(stage.name))</text>"
        }
        return svg + "</svg><p>x: progress through each stage's steps; y: training loss.</p>"
    }
}
