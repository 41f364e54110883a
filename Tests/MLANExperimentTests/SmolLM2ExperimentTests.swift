import Foundation
import MLANCore
import MLANModel
import MLANTestSupport
import Testing
@testable import MLANExperiment

/// Where the experiment tests find SmolLM2 (`make models` puts it there).
enum SmolLM2File {
    static let url = SharedPaths.repositoryRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
}

/// `mlan experiment --quick` end to end on the real SmolLM2-135M-Instruct (skipped when `models/` lacks it):
/// stopped inside stage 1 as a kill would, continued from the checkpoint, then rerun with every job reused.
@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: SmolLM2File.url.path),
                             "needs models/SmolLM2-135M-Instruct.Q4_1.gguf (make models)"))
struct SmolLM2ExperimentTests {
    static var model: URL { SmolLM2File.url }

    static func quickConfig() throws -> SmolLM2ExperimentConfig {
        var config = try SmolLM2ExperimentConfig.load(
            from: SharedPaths.repositoryRoot.appendingPathComponent("Configs/smollm2-mlan.json"), quick: true)
        config.languageModel = model.path
        return config
    }

    func experiment(_ config: SmolLM2ExperimentConfig, _ output: URL, notes: Notes) -> SmolLM2Experiment {
        let experiment = SmolLM2Experiment(config: config, output: output)
        experiment.dataDirectory = SharedPaths.data
        experiment.showsTrainingProgress = false
        experiment.evaluationProgress = .silent
        experiment.isSmokeRun = true
        experiment.command = "test"
        experiment.onNote = { notes.lines.append($0) }
        return experiment
    }

    final class Notes: @unchecked Sendable { var lines: [String] = [] }

    @Test func quickRunStopsResumesAndReusesItsJobs() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-experiment-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let config = try Self.quickConfig()

        // 1. Stopped after stage 1's first step (of two), its checkpoint written.
        let first = Notes()
        let stopped = experiment(config, output, notes: first)
        stopped.stopAfter = ("stage1_align", 1)
        #expect(try stopped.run() == nil)
        #expect(first.lines.contains { $0.contains("[stage1_align] stopped after step 1") })
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/stage1_align/checkpoints/step-000001").path))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("vision-tower").path))

        // 2. Continued: stage 1 resumes at step 1, everything else runs.
        let second = Notes()
        let started = Date()
        let report = try #require(try experiment(config, output, notes: second).run())
        let seconds = Date().timeIntervalSince(started)
        #expect(second.lines.contains { $0.contains("[stage1_align] resumed at step 1 of 2") })
        #expect(second.lines.contains { $0.contains("[world] reusing") })
        #expect(second.lines.contains { $0.contains("ETA") })
        #expect(report.rows.map(\.name) == ["base", "aligned", "mlan", "mlan_v", "vision_heavy"])
        #expect(report.stages.map(\.name) == ["stage1_align", "stage2_mlan", "stage2_mlan_v", "stage2_vision_heavy"])
        #expect(report.stages[0].efficiency.optimizerSteps == 2)
        for stage in report.stages { #expect(!stage.losses.isEmpty && stage.losses.allSatisfy { $0.loss.isFinite }) }
        // The base row has language tasks only; every other row has the vision tasks too.
        let base = report.rows[0], tuned = report.rows[2]
        #expect(base.scores.map(\.name).contains("arc_easy:lm-eval") && base.scores.map(\.name).contains("arc_easy:mlan"))
        #expect(!base.scores.contains { $0.modality == "vision" })
        #expect(tuned.scores.contains { $0.name == "nlvr" } && tuned.scores.contains { $0.name.hasPrefix("micro_") && $0.modality == "vision" })
        #expect(report.rows.allSatisfy { row in row.scores.allSatisfy { $0.documents == 1 && $0.zeroShot } })
        // Cost: MLAN trains on no image, the vision-heavy mixture does; both count FLOPs through SmolLM2.
        let mlan = try #require(report.rows[2].training), heavy = try #require(report.rows[4].training)
        #expect(mlan.efficiency.imageTokens == 0 && heavy.efficiency.imageTokens > 0)
        #expect(mlan.efficiency.examples == config.mixtureSize && heavy.efficiency.examples == config.mixtureSize)
        #expect(mlan.efficiency.flops > 6 * 100e6 * Double(mlan.efficiency.textTokens) / 3)  // frozen SmolLM2 counted
        // The tower is a CLIP directory `--vision-tower` accepts.
        let tower = try CLIPVisionModel.load(from: output.appendingPathComponent("vision-tower"))
        #expect(tower.config == config.visionTower)
        // ... with the images' processing beside it: the whole scene stretched to the tower's square input.
        let composed = try MultimodalLoader.load(model: Self.model, visionTower: output.appendingPathComponent("vision-tower").path)
        #expect(composed.imageProcessor == .stretched(height: config.visionTower.imageSize, width: config.visionTower.width))
        #expect(config.visionTower.imageWidth == nil && config.visionTower.numPatches == 16)
        // The held-out proof: each mixture's manifest.
        for name in ["mlan", "mlan_v", "vision_heavy"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("mixtures/\(name).manifest.json").path)
                    || FileManager.default.fileExists(atPath: output.appendingPathComponent("mixtures/\(name).json").path))
        }
        for file in ["report.md", "report.html", "results.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path))
        }
        #expect(report.markdown.contains("Smoke run") && report.markdown.contains("| vision_heavy |"))
        #expect(report.html.contains("<polyline"))
        print("quick experiment (resumed from stage 1 step 1): \(String(format: "%.1f", seconds)) s")

        // 3. Rerun: every job is reused, nothing trains, the same scores come back.
        let third = Notes()
        let again = try #require(try experiment(config, output, notes: third).run())
        #expect(third.lines.contains { $0.contains("[stage1_align] complete") })
        #expect(!third.lines.contains { $0.contains("resumed at step") || $0.contains("examples,") })
        #expect(again.rows.map { $0.scores.map(\.accuracy) } == report.rows.map { $0.scores.map(\.accuracy) })
    }
}
