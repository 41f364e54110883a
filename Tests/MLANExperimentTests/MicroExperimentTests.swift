import Foundation
import MLANData
import MLANModel
import MLANSupport
import MLANTestSupport
import MLANTrain
import Testing
@testable import MLANExperiment

/// The demo's pipeline on `MicroRecipe.quick` (two seeds), evaluated by the demo's own `HarnessEvaluator`.
@Suite(.serialized) struct MicroExperimentTests {
    /// The `mlp2x_gelu` projector's parameters, from the tower's 64 features to the language model's 128.
    static let projectorParameters = 64 * 128 + 128 + 128 * 128 + 128

    /// Runs the quick recipe on seed 42 alone with `change` applied, quietly, into `output`; returns the report
    /// and the progress notes.
    static func runOneSeed(into output: URL, resuming: Bool = false, _ change: (inout MicroRecipe) -> Void) throws
        -> (report: ExperimentReport, notes: [String]) {
        var recipe = MicroRecipe.quick
        recipe.seeds = [42]
        change(&recipe)
        let experiment = MicroExperiment(recipe: recipe, output: output)
        experiment.showsTrainingProgress = false
        experiment.resumesStages = resuming
        var notes: [String] = []
        experiment.onNote = { notes.append($0) }
        let report = try experiment.run(evaluator: HarnessEvaluator(dataDirectory: SharedPaths.data, progress: .silent))
        return (report, notes)
    }

    @Test func anInterruptedRunResumesItsFinishedStagesToTheSameResult() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let mlanOnly = { (recipe: inout MicroRecipe) in recipe.mixtures = [.init(name: "mlan", languageFraction: 1)] }
        let (straight, _) = try Self.runOneSeed(into: output, mlanOnly)
        // Interrupted after stage 0: stages 1 and 2 left nothing behind.
        for stage in ["stage1_align", "stage2_mlan"] {
            try FileManager.default.removeItem(at: output.appendingPathComponent("seed-42/runs/\(stage)"))
        }
        let (resumed, notes) = try Self.runOneSeed(into: output, resuming: true, mlanOnly)
        let steps = straight.runs[0].stages.map { ($0.name, $0.efficiency.optimizerSteps) }
        for (stage, count) in steps where stage.hasPrefix("stage0") {
            #expect(notes.contains("[seed 1/1] [\(stage)] resumed at step \(count) of \(count)"), "\(stage): \(notes)")
        }
        #expect(!notes.contains { $0.contains("[stage1_align] resumed") || $0.contains("[stage2_mlan] resumed") })
        #expect(resumed.runs[0].stages.map(\.name) == straight.runs[0].stages.map(\.name))
        for (a, b) in zip(straight.runs[0].stages, resumed.runs[0].stages) {
            #expect(a.losses == b.losses, "\(a.name)'s loss curve differs after the resume")
        }
        #expect(resumed.recipes.map { $0.cells.map(\.perSeed) } == straight.recipes.map { $0.cells.map(\.perSeed) })
        // Stage 0 under other settings is another run: its checkpoint is refused, naming it.
        #expect {
            _ = try Self.runOneSeed(into: output, resuming: true) { recipe in
                mlanOnly(&recipe)
                recipe.pretrain.learningRate *= 2
            }
        } throws: { error in
            guard case TrainError.resumeMismatch(let path, let reason) = error else { return false }
            return path.contains("seed-42/runs/stage0_pretrain/checkpoints") && reason.contains("other examples or settings")
        }
    }

    @Test func aReplayIsASeededDrawWithoutRepeats() throws {
        let warmup = (0..<50).map { Example(id: "w\($0)", tokens: TokenizedExample(ids: [$0], isTarget: [true])) }
        let draw = { (count: Int, seed: UInt64) in
            try MicroExperiment.replay(count, of: warmup, seed: seed, field: "align_replay", source: "the warm-up")
        }
        let replay = try draw(20, 42)
        #expect(replay.count == 20 && Set(replay.map(\.id)).count == 20)
        #expect(replay.allSatisfy(warmup.contains) && replay != Array(warmup.prefix(20)))
        #expect(try draw(20, 42) == replay && draw(20, 43) != replay && draw(0, 42).isEmpty)
        do {
            _ = try MicroExperiment.replay(51, of: warmup, seed: 42, field: "warmup_replay", source: "the corpus")
            Issue.record("a replay of 51 from 50 examples was drawn")
        } catch let ExperimentError.invalidSetting(field, reason) {
            #expect(field == "warmup_replay" && reason.contains("the 50 examples of the corpus"), "\(field): \(reason)")
        }
    }

    @Test func quickRunProducesEveryRecipeSeedAndReport() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let experiment = MicroExperiment(recipe: .quick, output: output)
        experiment.showsTrainingProgress = false
        var notes: [String] = []
        experiment.onNote = { notes.append($0) }
        let report = try experiment.run(evaluator: HarnessEvaluator(dataDirectory: SharedPaths.data, progress: .silent))
        #expect(report.seeds == [42, 43])
        #expect(notes.contains { $0.hasPrefix("[seed 2/2] [eval vision_heavy]") })
        #expect(report.recipes.map(\.name) == ["none", "mlan", "mlan_v", "vision_heavy", "control"])
        for run in report.runs {
            #expect(run.stages.map(\.name) == ["stage0_warmup", "stage0_pretrain", "stage0_tower", "stage1_align", "stage2_mlan",
                                                "stage2_mlan_v", "stage2_vision_heavy", "stage2_control"])
        }
        // The tower learns before stage 1 (81 slots of 3 classes: cross-entropy starts near ln 3) and then stays
        // frozen: stage 1 trains the projector alone, as LLaVA's does.
        for run in report.runs {
            let tower = try #require(run.stages.first { $0.name == "stage0_tower" }?.losses.first?.loss)
            #expect(abs(tower - log(3)) < 0.5, "seed \(run.seed): first tower loss \(tower)")
        }
        #expect(notes.filter { $0.contains("[stage0_tower] on 6 new scenes: ") && $0.contains("% of scenes") }.count == 2)
        #expect(notes.filter { $0.contains("[stage1_align] ") && $0.hasSuffix(" \(Self.projectorParameters) trainable parameters") }.count == 2,
                "\(notes.filter { $0.contains("[stage1_align] ") })")
        let heldOut = ["micro_existence_language", "micro_multiple_choice_language", "micro_boolean_statement_language",
                       "micro_existence_vision", "micro_multiple_choice_vision", "micro_boolean_statement_vision", "nlvr"]
        #expect(report.taskNames == heldOut + ["micro_counting_language", "micro_counting_vision"])
        for recipe in report.recipes {
            for cell in recipe.cells {
                #expect(cell.perSeed.count == 2)
                // Every micro-world vision cell, and only those, is also asked with another document's image.
                #expect((cell.swappedImage?.perSeed.count == 2) == (cell.modality == "vision" && cell.task != "nlvr"),
                        "\(recipe.name) \(cell.task)")
                // Held-out cells are zero-shot for every recipe but the control, which trains on the micro world's
                // (not on NLVR); trained clusters are zero-shot only for the untuned model.
                let controlled = recipe.name == "control" && cell.task != "nlvr"
                #expect(cell.heldOut == ((cell.block == .heldOut && !controlled) || recipe.name == "none"), "\(recipe.name) \(cell.task)")
            }
            // The control has no zero-shot language task left (it trains on all three); NLVR keeps its vision average.
            #expect((recipe.averages["language"] == nil) == (recipe.name == "control") && recipe.averages["vision"] != nil)
            let chances = Dictionary(recipe.cells.map { ($0.task, $0.chance) }, uniquingKeysWith: { a, _ in a })
            #expect(chances["micro_existence_vision"] == 0.5 && chances["nlvr"] == 0.5)
            #expect(abs((chances["micro_multiple_choice_language"] ?? 0) - 1.0 / 3) < 1e-9)
        }
        let mlan = try #require(report.summary("mlan")), heavy = try #require(report.summary("vision_heavy"))
        #expect(mlan.imageTokens.mean == 0 && heavy.imageTokens.mean > 0)
        #expect(heavy.relativeCost == 1 && mlan.relativeCost != nil)
        for run in report.runs { for stage in run.stages { #expect(stage.losses.allSatisfy { $0.loss.isFinite }) } }
        for file in ["results.json", "report.md", "report.html", "seed-42/tokenizer.json", "seed-43/world/world.json",
                     "seed-42/world/tasks/existence_vision.json", "seed-42/mixtures/mlan.manifest.json",
                     "seed-43/runs/stage1_align/train_log.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file)")
        }
        let html = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("stroke-dasharray") && html.contains("polyline") && html.contains("Modality transfer"))
        let decoded = try JSONDecoder().decode(ExperimentReport.self, from: Data(contentsOf: output.appendingPathComponent("results.json")))
        #expect(decoded.recipes.count == 5 && decoded.runs.count == 2)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("seed-42/world/control/existence_language.json").path))

        // The seeds ran side by side; seed 43 alone, on the calling thread, gives the same bits.
        let aloneOutput = output.appendingPathComponent("alone")
        var aloneRecipe = MicroRecipe.quick
        aloneRecipe.seeds = [43]
        let alone = MicroExperiment(recipe: aloneRecipe, output: aloneOutput)
        alone.showsTrainingProgress = false
        alone.onNote = { _ in }
        alone.concurrentJobs = 1
        let single = try alone.run(evaluator: HarnessEvaluator(dataDirectory: SharedPaths.data, progress: .silent))
        let together = report.runs[1], byItself = try #require(single.runs.first)
        #expect(together.seed == 43 && byItself.seed == 43)
        #expect(together.stages.map(\.losses) == byItself.stages.map(\.losses))
        #expect(together.recipes.map(\.scores) == byItself.recipes.map(\.scores))
        #expect(together.alignment == byItself.alignment)
        for run in decoded.runs {
            let probe = try #require(run.alignment, "seed \(run.seed) has no alignment probe")
            #expect(probe.captions == MicroRecipe.quick.counts.evalPerCluster)
            #expect(probe.matchedLoss.isFinite && probe.mismatchedLoss.isFinite && probe.gainStandardError > 0)
        }
        #expect(report.findings.contains { $0.hasPrefix("Stage 1 ") && $0.contains("new scenes") })
    }

    @Test func theWarmUpCanFollowTheCorpus() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (report, notes) = try Self.runOneSeed(into: output) { recipe in
            recipe.mixtures = [.init(name: "mlan", languageFraction: 1)]
            recipe.warmupAfterCorpus = true
            recipe.warmupReplay = 5
            recipe.towerPretrain = nil  // the shipped default: the tower learns in stage 1, beside the projector
        }
        #expect(report.runs.first?.stages.map(\.name) == ["stage0_pretrain", "stage0_warmup", "stage1_align", "stage2_mlan"])
        let stageOne = try #require(notes.first { $0.contains("[stage1_align] ") && $0.hasSuffix(" trainable parameters") })
        let trainable = try #require(Int(stageOne.split(separator: " ").dropLast(2).last ?? ""))
        #expect(trainable > Self.projectorParameters, "\(stageOne)")
        // The warm-up trains on its lookups, judgements and generic instructions, and replays 5 corpus examples.
        let world = output.appendingPathComponent("seed-42/world")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: world.appendingPathComponent("world.json")))
        let lookups = try String(contentsOf: world.appendingPathComponent("lookups.txt"), encoding: .utf8)
        var warmup = lookups.split(separator: "\n").count
        if let file = (manifest as? [String: Any])?["warmupInstructions"] as? String {
            warmup += try InstructionDataset.load(from: world.appendingPathComponent(file)).records.count
        }
        #expect(notes.contains { $0.contains("[stage0_warmup] \(warmup + 5) examples") },
                "\(notes.filter { $0.contains("[stage0_warmup] ") })")
    }

    @Test func stageOneCanTrainAPretrainedTowerBesideTheProjectorWithTheLanguageModelFrozen() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (_, notes) = try Self.runOneSeed(into: output) { recipe in
            recipe.mixtures = [.init(name: "mlan", languageFraction: 1)]
            recipe.alignTrainsTower = true
        }
        var rng = SplitMix64(seed: 0)
        let tower = CLIPVisionModel(MicroRecipe.quick.vision, rng: &rng).namedParameters().reduce(0) { $0 + $1.tensor.count }
        let trainable = Self.projectorParameters + tower
        #expect(notes.filter { $0.contains("[stage1_align] ") && $0.hasSuffix(" \(trainable) trainable parameters") }
            .count == 1, "\(notes.filter { $0.contains("[stage1_align] ") })")
    }

    @Test func aControlMixtureTakesItsOwnSizeAndDose() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        _ = try Self.runOneSeed(into: output) { recipe in
            recipe.controlPerCluster = 30
            recipe.mixtures = [.init(name: "control", languageFraction: 0.5, control: true, size: 120)]
        }
        let seed = output.appendingPathComponent("seed-42")
        let manifest = try MixtureManifest.load(from: seed.appendingPathComponent("mixtures/control.manifest.json"))
        #expect(manifest.total == 120 && manifest.language == 60)
        for cluster in MicroTaskCluster.heldOut {
            for modality in MicroModality.allCases {
                let file = seed.appendingPathComponent("world/control/\(cluster.rawValue)_\(modality.rawValue).json")
                #expect(try InstructionDataset.load(from: file).records.count == 30, "\(file.lastPathComponent)")
            }
        }
        let heldOut = Set(MicroTaskCluster.heldOut.map(\.rawValue))
        #expect(manifest.sources.filter { heldOut.contains($0.taskCluster) }.reduce(0) { $0 + $1.chosen } > 0)
    }

    @Test func aMixtureLargerThanItsPoolsFailsBeforeTraining() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var recipe = MicroRecipe.quick
        recipe.seeds = [42]
        recipe.mixtures = [.init(name: "mlan", languageFraction: 1, size: 100_000)]
        let experiment = MicroExperiment(recipe: recipe, output: output)
        experiment.showsTrainingProgress = false
        experiment.onNote = { _ in }
        #expect { try experiment.run(evaluator: HarnessEvaluator(dataDirectory: SharedPaths.data, progress: .silent)) } throws: {
            guard case ExperimentError.invalidSetting(let field, let reason) = $0 else { return false }
            return field == "mixtures[0].size" && reason.contains("100000 records requested")
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("seed-42/runs").path))
    }
}
