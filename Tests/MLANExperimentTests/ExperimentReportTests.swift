import Foundation
import Testing
@testable import MLANExperiment

/// Aggregation over seeds: per-seed values, mean and spread per cell and average, and findings that call a
/// difference only beyond the spread.
struct ExperimentReportTests {
    static func score(_ name: String, _ modality: String, _ accuracy: Double, block: TaskBlock = .heldOut,
                      zeroShot: Bool = true) -> TaskScore {
        TaskScore(name: name, cluster: name, modality: modality, block: block, zeroShot: zeroShot, accuracy: accuracy,
                  stderr: 0, documents: 10, chance: 0.5, majority: 0.6)
    }

    static func run(_ seed: UInt64, none: [Double], mlan: [Double]) -> SeedRun {
        func scores(_ v: [Double]) -> [TaskScore] {
            [score("a_language", "language", v[0]), score("b_vision", "vision", v[1]),
             score("c_vision", "vision", v[2], block: .transfer, zeroShot: false)]
        }
        return SeedRun(seed: seed, stages: [], recipes: [RecipeRun(name: "none", languageFraction: nil, scores: scores(none), training: nil),
                                                         RecipeRun(name: "mlan", languageFraction: 1, scores: scores(mlan), training: nil)])
    }

    @Test func cellsKeepPerSeedValuesWithMeanAndSampleStandardDeviation() throws {
        let report = ExperimentReport(recipe: .quick, runs: [Self.run(1, none: [0.5, 0.4, 0.1], mlan: [0.9, 0.5, 0.3]),
                                                             Self.run(2, none: [0.5, 0.6, 0.1], mlan: [0.7, 0.5, 0.5])],
                                      wallSeconds: 3)
        #expect(report.seeds == [1, 2])
        let mlan = try #require(report.summary("mlan"))
        let cell = try #require(mlan.cells.first { $0.task == "a_language" })
        #expect(cell.perSeed == [0.9, 0.7] && abs(cell.mean - 0.8) < 1e-12)
        #expect(abs(cell.std - (0.02 as Double).squareRoot()) < 1e-12)
        #expect(cell.heldOut && cell.chance == 0.5 && cell.majority == 0.6)
        // Averages take zero-shot held-out cells only: the transfer cell stays out.
        let overall = try #require(mlan.averages["overall"])
        #expect(abs(overall.perSeed[0] - 0.7) < 1e-12 && abs(overall.perSeed[1] - 0.6) < 1e-12)
        #expect(report.taskNames == ["a_language", "b_vision", "c_vision"])
        #expect(mlan.cells.first { $0.task == "c_vision" }?.heldOut == false)
    }

    @Test func findingsCallADifferenceOnlyBeyondTheSpread() {
        let report = ExperimentReport(recipe: .quick, runs: [Self.run(1, none: [0.5, 0.40, 0], mlan: [0.9, 0.42, 0]),
                                                             Self.run(2, none: [0.5, 0.60, 0], mlan: [0.8, 0.58, 0])],
                                      wallSeconds: 3)
        let line = report.findings.first { $0.hasPrefix("mlan vs none") } ?? ""
        #expect(line.contains("language higher"))
        #expect(line.contains("vision no difference beyond the spread"))
        #expect(report.findings.contains { $0.hasPrefix("mlan: above chance and majority beyond the spread on a_language") })
    }

    @Test func anImageSwapDropIsPairedPerSeedAndCalledOnlyBeyondItsSpread() throws {
        func run(_ seed: UInt64, _ own: Double, _ swapped: Double, blindSwapped: Double) -> SeedRun {
            var read = Self.score("a_vision", "vision", own), blind = Self.score("b_vision", "vision", 0.6)
            (read.swappedImageAccuracy, blind.swappedImageAccuracy) = (swapped, blindSwapped)
            return SeedRun(seed: seed, stages: [], recipes: [RecipeRun(name: "mlan", languageFraction: 1,
                                                                       scores: [read, blind, Self.score("c_language", "language", 0.5)],
                                                                       training: nil)])
        }
        let report = ExperimentReport(recipe: .quick, runs: [run(1, 0.9, 0.5, blindSwapped: 0.5), run(2, 0.7, 0.4, blindSwapped: 0.7)], wallSeconds: 1)
        let cells = report.recipes[0].cells
        #expect(cells[0].swappedImage?.perSeed == [0.5, 0.4] && cells[2].swappedImage == nil)
        let drop = try #require(cells[0].imageSwapDrop)
        #expect(abs(drop.perSeed[0] - 0.4) < 1e-12 && abs(drop.perSeed[1] - 0.3) < 1e-12)
        // b_vision's drop is -0.1 and +0.1 across the seeds: no drop beyond the spread.
        #expect(report.findings.contains("Answers read from the image (another document's image lowers the accuracy beyond the "
            + "spread): mlan on a_vision."))
        #expect(report.swappedTasks == ["a_vision", "b_vision"])
        #expect(report.markdown.contains("| mlan | 0.800 → 0.450 (drop +0.350 ± 0.071) |"))
        #expect(report.html.contains("<td>0.800 → 0.450 (drop +0.350 ± 0.071)</td>"))
    }

    @Test func aCellAtItsQuestionOnlyBaselineIsNotCalledAboveIt() throws {
        func run(_ seed: UInt64) -> SeedRun {
            var read = Self.score("a_language", "language", 0.9), blind = Self.score("b_vision", "vision", 0.8)
            (read.questionOnly, blind.questionOnly) = (0.7, 0.8)
            return SeedRun(seed: seed, stages: [], recipes: [RecipeRun(name: "mlan", languageFraction: 1, scores: [read, blind],
                                                                       training: nil)])
        }
        let report = ExperimentReport(recipe: .quick, runs: [run(1), run(2)], wallSeconds: 1)
        #expect(report.recipes[0].cells.map(\.questionOnly) == [0.7, 0.8])
        #expect(report.findings.contains("mlan: above chance, majority and the question-only baseline beyond the spread on a_language."))
        #expect(report.markdown.contains("| question only | 0.700 | 0.800 | 0.700 | 0.800 | 0.750 |"))
        #expect(report.html.contains("<td>question only</td><td>0.700</td>"))
    }

    @Test func resultsJSONHoldsTheKeysTheIssueAsksFor() throws {
        let report = ExperimentReport(recipe: .quick, runs: [Self.run(1, none: [0.5, 0.4, 0.1], mlan: [0.9, 0.5, 0.3])], wallSeconds: 3)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["seeds"] as? [Int] == [1])
        let recipes = json?["recipes"] as? [[String: Any]]
        let cell = (recipes?.first?["cells"] as? [[String: Any]])?.first
        for key in ["held_out", "modality", "per_seed", "mean", "std", "chance", "majority"] {
            #expect(cell?[key] != nil, "\(key)")
        }
    }
}
