import Foundation

/// The analytic training cost of stage 2 at paper scale, per mixture (Docs/RECIPE.md derives it), with the
/// rule the trainer's `ComputeProfile` applies to the tokens it processes.
///
/// Per example: the LLM trains on every position (6 FLOPs per parameter per token), the projector trains on
/// the image positions it produces, the frozen vision tower runs forward on each image (2 FLOPs per parameter
/// per patch token), and an image adds `imageTokens` positions to the LLM's sequence. Text examples carry no
/// image tokens, which is where MLAN saves.
public struct CostModel: Sendable, Equatable {
    /// LLM parameters (Llama-2-7B / Vicuna-7B).
    public var languageModelParameters: Double = 6.74e9
    /// Vision tower parameters (CLIP ViT-L/14-336), frozen.
    public var visionParameters: Double = 3.04e8
    /// Projector parameters (`mlp2x_gelu` 1024→4096→4096).
    public var projectorParameters: Double = 2.1e7
    /// Positions one image takes in the LLM (576 for CLIP ViT-L/14-336 without CLS).
    public var imageTokens: Double = 576
    /// Patch tokens the tower processes per image (577 with CLS).
    public var visionTokens: Double = 577
    /// Mean text tokens of a language-only example.
    public var languageTextTokens: Double = 200
    /// Mean text tokens of an image example.
    public var visionTextTokens: Double = 150

    /// The paper-scale defaults.
    public init() {}

    /// FLOPs of training on one language-only example: `6 · N_L · T_l`.
    public var languageExampleFLOPs: Double { 6 * languageModelParameters * languageTextTokens }

    /// FLOPs of training on one image example: `6 · N_L · (T_v + I) + 6 · N_P · I + 2 · N_V · V`.
    public var visionExampleFLOPs: Double {
        6 * languageModelParameters * (visionTextTokens + imageTokens) + 6 * projectorParameters * imageTokens
            + 2 * visionParameters * visionTokens
    }

    /// FLOPs of one epoch over `examples` examples of which `languageFraction` are language-only.
    public func flops(examples: Double, languageFraction: Double) -> Double {
        examples * (languageFraction * languageExampleFLOPs + (1 - languageFraction) * visionExampleFLOPs)
    }

    /// The paper's mixtures (80k examples each) and LLaVA-1.5's vision-heavy one, with FLOPs and the ratio
    /// to the vision-heavy mixture.
    public func table(examples: Double = 80_000) -> [(name: String, languageFraction: Double, flops: Double, ratio: Double)] {
        let mixtures: [(String, Double)] = [("MLAN (language only)", 1.0), ("MLAN_v Llama 2 (70k + 10k)", 0.875),
                                            ("MLAN_v Vicuna (40k + 40k)", 0.5),
                                            ("LLaVA-1.5 mixture (vision-heavy, ~6% text)", 0.06)]
        let reference = flops(examples: examples, languageFraction: 0.06)
        return mixtures.map { name, fraction in
            let f = flops(examples: examples, languageFraction: fraction)
            return (name, fraction, f, f / reference)
        }
    }

    /// What `mlan cost` prints: the per-example FLOPs and `table(examples:)` as Markdown (PFLOPs).
    public func summary(examples: Double = 80_000) -> String {
        var lines = [String(format: "Per example: language %.3g FLOPs, image %.3g FLOPs (×%.2f)", languageExampleFLOPs,
                            visionExampleFLOPs, visionExampleFLOPs / languageExampleFLOPs),
                     "| mixture | language share | PFLOPs | relative to vision-heavy |", "|---|---|---|---|"]
        for row in table(examples: examples) {
            lines.append(String(format: "| %@ | %.0f%% | %.1f | %.2f |", row.name, row.languageFraction * 100,
                                row.flops / 1e15, row.ratio))
        }
        return lines.joined(separator: "\n")
    }
}
