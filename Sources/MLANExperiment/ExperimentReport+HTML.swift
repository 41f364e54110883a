import Foundation

extension ExperimentReport {
    /// A self-contained page: the results table, an accuracy bar chart and the loss curves (inline SVG).
    public var html: String {
        let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"]
        var body = "<h1>MLAN micro-world experiment</h1>\n<p>Seed \(seed). Zero-shot exact-match accuracy on held-out "
            + "task clusters after each stage-2 mixture; wall time \(Int(wallSeconds)) s.</p>\n"
        body += "<h2>Accuracy</h2>\n" + accuracyChart(palette) + "\n"
        body += "<h2>Results</h2>\n<div style=\"overflow-x:auto\">" + table + "</div>\n"
        body += "<h2>Training loss</h2>\n" + lossChart(palette) + "\n"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>MLAN micro-world experiment</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
        svg text{font-size:11px}</style></head><body>
        \(body)</body></html>

        """
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private var table: String {
        var rows = ["<table><tr><th>recipe</th>" + taskNames.map { "<th>\(Self.escape(label($0)))</th>" }.joined()
            + "<th>zero-shot language avg</th><th>zero-shot vision avg</th><th>zero-shot all avg</th><th>train s</th><th>cost vs vision-heavy</th></tr>"]
        for recipe in recipes {
            var cells = ["<td>\(Self.escape(recipe.name))</td>"]
            for task in taskNames {
                cells.append("<td>" + (recipe.scores.first { $0.name == task }.map { String(format: "%.3f", $0.accuracy) } ?? "–") + "</td>")
            }
            for modality in ["language", "vision", nil] as [String?] {
                cells.append("<td>" + (recipe.average(modality).map { String(format: "%.3f", $0) } ?? "–") + "</td>")
            }
            cells.append("<td>" + (recipe.training.map { String(format: "%.1f", $0.efficiency.seconds) } ?? "0") + "</td>")
            cells.append("<td>" + (relativeCost(recipe).map { String(format: "%.2f", $0) } ?? "–") + "</td>")
            rows.append("<tr>" + cells.joined() + "</tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    /// Grouped bars: one group per task plus the averages, one bar per recipe.
    private func accuracyChart(_ palette: [String]) -> String {
        let groups = taskNames + ["language avg", "vision avg"]
        let (width, height, left, bottom) = (980.0, 320.0, 40.0, 90.0)
        let plotHeight = height - bottom - 10
        let groupWidth = (width - left) / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(recipes.count, 1))
        var svg = "<svg width=\"\(Int(width) + 80)\" height=\"\(Int(height + 30))\" role=\"img\" aria-label=\"accuracy by task and recipe\">"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = 10 + plotHeight * (1 - tick)
            svg += "<line x1=\"\(left)\" x2=\"\(width)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"2\" y=\"\(y + 4)\">\(String(format: "%.2f", tick))</text>"
        }
        for (g, group) in groups.enumerated() {
            let x0 = left + Double(g) * groupWidth + groupWidth * 0.1
            for (r, recipe) in recipes.enumerated() {
                let value: Double?
                switch group {
                case "language avg": value = recipe.average("language")
                case "vision avg": value = recipe.average("vision")
                default: value = recipe.scores.first { $0.name == group }?.accuracy
                }
                guard let value else { continue }
                let h = plotHeight * value
                svg += "<rect x=\"\(x0 + Double(r) * barWidth)\" y=\"\(10 + plotHeight - h)\" width=\"\(barWidth * 0.92)\" "
                    + "height=\"\(h)\" fill=\"\(palette[r % palette.count])\"><title>\(Self.escape(recipe.name)) "
                    + "\(Self.escape(group)): \(String(format: "%.3f", value))</title></rect>"
            }
            let name = Self.escape(group.hasSuffix(" avg") ? group : label(group))
            svg += "<text transform=\"translate(\(x0 + groupWidth * 0.4),\(height - bottom + 18)) rotate(30)\">\(name)</text>"
        }
        for (r, recipe) in recipes.enumerated() {
            let x = left + Double(r) * 150
            svg += "<rect x=\"\(x)\" y=\"\(height + 12)\" width=\"12\" height=\"12\" fill=\"\(palette[r % palette.count])\"/>"
            svg += "<text x=\"\(x + 16)\" y=\"\(height + 22)\">\(Self.escape(recipe.name))</text>"
        }
        return svg + "</svg>"
    }

    /// One polyline per stage: loss against the fraction of the stage done.
    private func lossChart(_ palette: [String]) -> String {
        let (width, height, left) = (980.0, 300.0, 40.0)
        let peak = max(stages.flatMap(\.losses).map(\.loss).filter(\.isFinite).max() ?? 1, 1e-9)
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height + 30 + 16 * Double((stages.count + 3) / 4)))\" role=\"img\" aria-label=\"training loss\">"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = 10 + (height - 20) * (1 - tick)
            svg += "<line x1=\"\(left)\" x2=\"\(width)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"2\" y=\"\(y + 4)\">\(String(format: "%.2f", tick * peak))</text>"
        }
        for (s, stage) in stages.enumerated() where !stage.losses.isEmpty {
            let last = Double(max(stage.losses.last!.step, 1))
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
