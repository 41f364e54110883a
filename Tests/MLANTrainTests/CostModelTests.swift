import Foundation
import Testing
@testable import MLANTrain

@Suite struct CostModelTests {
    /// A model small enough to work out by hand.
    static var small: CostModel {
        var m = CostModel()
        m.languageModelParameters = 10
        m.projectorParameters = 2
        m.visionParameters = 3
        m.imageTokens = 4
        m.visionTokens = 5
        m.languageTextTokens = 7
        m.visionTextTokens = 6
        return m
    }

    @Test func languageExampleTrainsOnlyTheLLMOnItsText() {
        #expect(Self.small.languageExampleFLOPs == 420)  // 6 · 10 · 7; no image, so no projector or tower
    }

    @Test func imageExampleAddsImagePositionsTheProjectorAndAForwardOnlyTower() {
        // LLM on 6 text + 4 image positions, projector on the 4 image positions, tower forward on 5 patches:
        // 6 · 10 · 10 + 6 · 2 · 4 + 2 · 3 · 5 = 600 + 48 + 30
        #expect(Self.small.visionExampleFLOPs == 678)
    }

    @Test func mixtureCostWeighsExamplesByLanguageShare() {
        #expect(Self.small.flops(examples: 10, languageFraction: 0.5) == 5490)  // 10 · (210 + 339)
        #expect(Self.small.flops(examples: 10, languageFraction: 1) == 4200)
        #expect(Self.small.flops(examples: 10, languageFraction: 0) == 6780)
    }

    @Test func tableIsRelativeToTheVisionHeavyMixture() throws {
        let table = Self.small.table(examples: 10)
        #expect(table.map(\.languageFraction) == [1, 0.875, 0.5, 0.06])
        // Vision-heavy: 10 · (0.06 · 420 + 0.94 · 678) = 6625.2; language-only: 4200.
        let reference = 6625.2
        #expect(abs(table[3].flops - reference) < 1e-9 && table[3].ratio == 1)
        #expect(table[0].flops == 4200 && abs(table[0].ratio - 4200 / reference) < 1e-12)
        #expect(abs(table[1].flops - 4522.5) < 1e-9)  // 10 · (0.875 · 420 + 0.125 · 678)
    }

    @Test func paperScaleDefaultsGiveTheFiguresInTheRecipeDoc() throws {
        // Docs/RECIPE.md shows `mlan cost`'s output with its defaults (which are CostModel's) in a code block.
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/RECIPE.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        let section = try #require(text.range(of: "## The cost model (`mlan cost`)"))
        let after = text[section.upperBound...]
        let open = try #require(after.range(of: "```\n"))
        let close = try #require(after[open.upperBound...].range(of: "\n```"))
        #expect(String(after[open.upperBound..<close.lowerBound]) == CostModel().summary())
        // And by hand: 6 · 6.74e9 · 200 = 8.088e12 per language example;
        // 6 · 6.74e9 · (150 + 576) + 6 · 2.1e7 · 576 + 2 · 3.04e8 · 577 = 2.935944e13 + 7.2576e10 + 3.50816e11.
        #expect(abs(CostModel().languageExampleFLOPs - 8.088e12) < 1e3)
        #expect(abs(CostModel().visionExampleFLOPs - 2.9782832e13) < 1e3)
    }
}
