import Foundation
import MLANTestSupport
import Testing
@testable import MLANExperiment

/// `Configs/smollm2-mlan.json` and the errors a bad config file gets: each names the file and the field.
@Suite struct SmolLM2ExperimentConfigTests {
    static let shipped = SharedPaths.repositoryRoot.appendingPathComponent("Configs/smollm2-mlan.json")

    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("smollm2-config-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url
    }

    /// The message of the error loading `text` throws.
    func failure(_ text: String, quick: Bool = false) throws -> (url: URL, message: String) {
        let url = try write(text)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try SmolLM2ExperimentConfig.load(from: url, quick: quick)
        } catch {
            return (url, "\(error)")
        }
        Issue.record("\(text) loaded without an error")
        return (url, "")
    }

    /// `Configs/smollm2-heldout.json` (Docs/RECIPE.md, "Can a pretrained reader answer the held-out clusters?") is
    /// the shipped experiment narrowed to the held-out micro clusters: more documents, one mixture, nothing else.
    @Test func heldOutConfigIsTheShippedOneNarrowedToTheMicroClusters() throws {
        let shipped = try SmolLM2ExperimentConfig.load(from: Self.shipped)
        var narrowed = try SmolLM2ExperimentConfig.load(
            from: SharedPaths.repositoryRoot.appendingPathComponent("Configs/smollm2-heldout.json"))
        #expect(narrowed.mixtures.map(\.name) == ["mlan"] && !narrowed.saveModels)
        #expect(narrowed.evaluation.microLimit == 150 && narrowed.world.evalPerCluster == 150)
        #expect(narrowed.evaluation.languageTasks.isEmpty && narrowed.evaluation.visionTasks.isEmpty)
        narrowed.world = shipped.world
        narrowed.mixtures = shipped.mixtures
        narrowed.evaluation = shipped.evaluation
        narrowed.saveModels = shipped.saveModels
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(narrowed) == encoder.encode(shipped))
    }

    @Test func shippedConfigLoadsWithAndWithoutQuick() throws {
        let full = try SmolLM2ExperimentConfig.load(from: Self.shipped)
        #expect(full.template == "chatml" && full.lora == nil && full.saveModels)
        #expect(full.mixtures.map(\.name) == ["mlan", "mlan_v", "vision_heavy"])
        #expect(full.align.schedule == .cosine && full.align.warmupRatio == 0.03)
        #expect(full.instruct.schedule == .cosine && full.instruct.warmupRatio == 0.03)
        #expect(full.languageData.map(\.dataset) == ["alpaca", "lima", "self_instruct_seed"])
        #expect(full.evaluation.languageTasks == ["boolq", "openbookqa", "hellaswag", "arc_easy", "race"])
        let quick = try SmolLM2ExperimentConfig.load(from: Self.shipped, quick: true)
        #expect(quick.mixtureSize < full.mixtureSize && quick.world.captions < full.world.captions)
        #expect(quick.lora?.rank == 2)
        // Objects merge member by member: the quick tower keeps the full config's image size.
        #expect(quick.visionTower.imageSize == full.visionTower.imageSize && quick.visionTower.width == 128)
        #expect(quick.visionTower.hiddenSize == 32)
        #expect(quick.instruct.learningRate == full.instruct.learningRate)
    }

    @Test func encodingRoundTrips() throws {
        let config = try SmolLM2ExperimentConfig.load(from: Self.shipped, quick: true)
        let url = try write(String(decoding: try JSONEncoder().encode(config), as: UTF8.self))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try SmolLM2ExperimentConfig.load(from: url) == config)
    }

    @Test func errorsNameTheFileAndTheField() throws {
        let cases: [(String, String)] = [
            (#"{"instruct": {"learning_rat": 1e-4}}"#, "instruct.learning_rat: unknown key"),
            (#"{"mixture_sise": 3}"#, "mixture_sise: unknown key"),
            (#"{"instruct": {"epochs": "two"}}"#, "instruct.epochs"),
            (#"{"instruct": {"micro_batch_size": 3, "global_batch_size": 16}}"#, "instruct.global_batch_size"),
            (#"{"lora": {"rank": 4, "alpha": 8, "targets": ["qproj"]}}"#, "lora.targets"),
            (#"{"lora": {"rank": 0, "alpha": 8, "targets": ["q_proj"]}}"#, "lora.rank"),
            (#"{"lora": {"rank": 4, "alpha": 8, "targets": ["q_proj"]}}"#, "save_models"),
            (#"{"mixtures": [{"name": "base", "language_fraction": 1}]}"#, "mixtures"),
            (#"{"mixtures": [{"name": "a", "language_fraction": 1.5}]}"#, "mixtures[0].language_fraction"),
            (#"{"evaluation": {"language_tasks": [], "protocols": ["lm-eval", "harness"], "language_limit": 1, "vision_tasks": [], "vision_limit": 1, "micro_limit": 1}}"#,
             "evaluation.protocols[1]"),
            (#"{"template": "vicuna"}"#, "template"),
            (#"{"world": {"captions": 8, "train_per_cluster": 4, "eval_per_cluster": 2, "objects_per_box": [3, 1]}}"#,
             "world.objects_per_box"),
            (#"{"vision_tower": {"image_size": 30, "patch_size": 16}}"#, "vision_tower"),
            (#"{"quick": {"worlds": {}}}"#, "quick.worlds: unknown key"),
            (#"[1, 2]"#, "top level"),
            (#"{"seed": 1"#, "invalid JSON"),
        ]
        for (text, expected) in cases {
            let (url, message) = try failure(text)
            #expect(message.contains(url.path), "\(message)")
            #expect(message.contains(expected), "\(text): \(message)")
        }
        // The quick override is validated only when applied.
        let (_, quickMessage) = try failure(#"{"quick": {"mixture_size": 0}}"#, quick: true)
        #expect(quickMessage.contains("mixture_size"))
    }

    @Test func missingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/smollm2.json")
        #expect { try SmolLM2ExperimentConfig.load(from: url) } throws: { "\($0)".contains(url.path) }
    }
}
