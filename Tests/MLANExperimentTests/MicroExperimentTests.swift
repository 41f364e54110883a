import Foundation
import MLANCore
import MLANData
import MLANModel
import Testing
import MLANTrain
@testable import MLANExperiment

/// The demo's pipeline on `MicroRecipe.quick`, evaluated by plain greedy generation (the CLI uses MLANEval).
@Suite(.serialized) struct MicroExperimentTests {
    struct GreedyEvaluator: RecipeEvaluator {
        func evaluate(_ model: LlavaForConditionalGeneration, tokenizer: BPETokenizer, images: PixelStore,
                      tasks: [HeldOutTask], limit: Int, trainingManifest: URL?) throws -> [TaskScore] {
            if let trainingManifest {
                let manifest = try MixtureManifest.load(from: trainingManifest)
                #expect(tasks.allSatisfy { manifest.isHeldOut(dataset: $0.dataset, taskCluster: $0.cluster) == $0.zeroShot })
            }
            return try tasks.map { task in
                let records = Array(try InstructionDataset.load(from: task.file).records.prefix(limit))
                var correct = 0
                for record in records {
                    let segments = VicunaTemplate().segments(for: [record.turns[0]], addGenerationPrompt: true)
                    let tokens = tokenizer.encode(segments, imagePlaceholder: model.config.imageTokenIndex, addBOS: false)
                    let pixels = try record.images.map { try images.pixels($0) }
                    let inputs = try model.inputs([tokens], images: [pixels])
                    let answer = try Generator(model: model.languageModel, tokenizer: tokenizer)
                        .generate(promptEmbeddings: inputs.embeddings, maxNewTokens: 6, stopStrings: ["\n"]).text
                    if answer.trimmingCharacters(in: .whitespaces).lowercased() == record.turns[1].text.lowercased() { correct += 1 }
                }
                return TaskScore(name: task.name, cluster: task.cluster, modality: task.modality,
                                 accuracy: Double(correct) / Double(max(records.count, 1)), stderr: 0, documents: records.count,
                                 zeroShot: task.zeroShot)
            }
        }
    }

    @Test func quickRunProducesEveryRecipeAndReport() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let experiment = MicroExperiment(recipe: .quick, output: output)
        experiment.showsTrainingProgress = false
        experiment.onNote = { _ in }
        let report = try experiment.run(evaluator: GreedyEvaluator())
        #expect(report.recipes.map(\.name) == ["none", "mlan", "mlan_v", "vision_heavy"])
        #expect(report.stages.map(\.name) == ["stage0_pretrain", "stage1_align", "stage2_mlan", "stage2_mlan_v", "stage2_vision_heavy"])
        for recipe in report.recipes {
            #expect(recipe.scores.count == 8)  // three held-out clusters and one seen reference, in two modalities
            #expect(recipe.scores.filter(\.zeroShot).count == 6)
            #expect(recipe.scores.allSatisfy { (0...1).contains($0.accuracy) && $0.documents == 6 })
        }
        let mlan = report.recipes[1].training!.efficiency, heavy = report.recipes[3].training!.efficiency
        #expect(mlan.imageTokens == 0 && heavy.imageTokens > 0)
        #expect(mlan.examples == heavy.examples)
        #expect(report.relativeCost(report.recipes[1])! < 1)
        for stage in report.stages { #expect(stage.losses.allSatisfy { $0.loss.isFinite }) }
        for file in ["results.json", "report.md", "report.html", "tokenizer.json", "world/world.json",
                     "mixtures/mlan.json", "runs/stage1_align/train_log.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file)")
        }
        let html = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("polyline") && html.contains("vision_heavy"))
        let decoded = try JSONDecoder().decode(ExperimentReport.self, from: Data(contentsOf: output.appendingPathComponent("results.json")))
        #expect(decoded.recipes.count == 4)
    }
}
