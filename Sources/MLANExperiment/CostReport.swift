import Foundation
import MLANTrain

/// `mlan cost`: the analytic stage-2 training cost of the paper's mixtures as text.
public enum CostReport {
    /// The per-example FLOPs line and the mixture table (Markdown) for `model` with `examples` per mixture.
    public static func text(_ model: CostModel, examples: Double) -> String {
        var lines = [String(format: "Per example: language %.3g FLOPs, image %.3g FLOPs (×%.2f)", model.languageExampleFLOPs,
                            model.visionExampleFLOPs, model.visionExampleFLOPs / model.languageExampleFLOPs),
                     "| mixture | language share | PFLOPs | relative to vision-heavy |", "|---|---|---|---|"]
        for row in model.table(examples: examples) {
            lines.append(String(format: "| %@ | %.0f%% | %.1f | %.2f |", row.name, row.languageFraction * 100, row.flops / 1e15,
                                row.ratio))
        }
        return lines.joined(separator: "\n")
    }
}
