import Foundation
import Testing
import MLANData
@testable import MLANExperiment

/// A recipe file can never trap: every out-of-range setting is an error naming the field.
struct MicroRecipeTests {
    /// Whether two recipes hold the same settings (compared as sorted JSON).
    static func sameSettings(_ a: MicroRecipe, _ b: MicroRecipe) throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(a) == encoder.encode(b)
    }

    static func load(_ json: String) throws -> MicroRecipe {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("recipe-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(json.utf8).write(to: url)
        return try MicroRecipe.load(from: url)
    }

    @Test(arguments: [
        ("{\"objects_per_box\": [0, 5]}", "objects_per_box"), ("{\"objects_per_box\": [3]}", "objects_per_box"),
        ("{\"objects_per_box\": [3, 2]}", "objects_per_box"), ("{\"seeds\": []}", "seeds"),
        ("{\"vocabulary_size\": 10}", "vocabulary_size"), ("{\"eval_limit\": 0}", "eval_limit"),
        ("{\"lookup_scenes\": -1}", "lookup_scenes"), ("{\"lookup_warmup\": {\"epochs\": 0}}", "lookup_warmup"),
        ("{\"warmup_instructions\": -3}", "warmup_instructions"), ("{\"judgement_scenes\": -2}", "judgement_scenes"),
        ("{\"transfer_clusters\": [\"existence\"]}", "transfer_clusters"),
        ("{\"mixtures\": [{\"name\": \"x\", \"languageFraction\": 2}]}", "mixtures[0].language_fraction"),
        ("{\"mixtures\": [{\"name\": \"x\", \"languageFraction\": 1, \"size\": 0}]}", "mixtures[0].size"),
        ("{\"control_per_cluster\": 0}", "control_per_cluster"),
        ("{\"align_replay\": -1}", "align_replay"), ("{\"align_replay\": 4}", "align_replay"),
        ("{\"warmup_replay\": -1}", "warmup_replay"), ("{\"warmup_replay\": 4, \"lookup_scenes\": 8}", "warmup_replay"),
        ("{\"warmup_replay\": 4, \"warmup_after_corpus\": true}", "warmup_replay"),
        ("{\"vision_feature_layer\": 0}", "vision_feature_layer"),
        ("{\"vision_feature_layer\": -4}", "vision_feature_layer"), ("{\"tower_pretrain\": {\"epochs\": 0}}", "tower_pretrain"),
        ("{\"counts\": {\"captions\": 0, \"corpusScenes\": 1, \"trainPerCluster\": 1, \"evalPerCluster\": 1}}", "counts"),
    ])
    func outOfRangeSettingsAreErrorsNamingTheField(json: String, field: String) {
        do {
            _ = try Self.load(json)
            Issue.record("\(json) was accepted")
        } catch let ExperimentError.invalidSetting(name, _) {
            #expect(name.hasSuffix(": " + field), "\(name)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theDefaultsAndTheQuickRecipeAreValidAndRoundTrip() throws {
        try MicroRecipe().validate()
        try MicroRecipe.quick.validate()
        #expect(MicroRecipe().seeds.count >= 3)
        let encoded = String(decoding: try JSONEncoder().encode(MicroRecipe.quick), as: UTF8.self)
        let decoded = try Self.load(encoded)
        #expect(decoded.seeds == MicroRecipe.quick.seeds && decoded.evalLimit == MicroRecipe.quick.evalLimit)
        #expect(decoded.mixtures == MicroRecipe.quick.mixtures && decoded.mixtures.contains { $0.control })
        #expect(decoded.warmupInstructions == MicroRecipe.quick.warmupInstructions)
        #expect(decoded.judgementScenes == MicroRecipe.quick.judgementScenes && decoded.judgementScenes > 0)
        #expect(try Self.load("{\"warmup_after_corpus\": true}").warmupAfterCorpus && !MicroRecipe().warmupAfterCorpus)
        let dosed = try Self.load("{\"control_per_cluster\": 900, \"mixtures\": [{\"name\": \"c\", \"languageFraction\": 0.5, "
            + "\"control\": true, \"size\": 4000}]}")
        #expect(dosed.controlPerCluster == 900 && dosed.mixtures == [.init(name: "c", languageFraction: 0.5, control: true, size: 4000)])
        #expect(MicroRecipe().controlPerCluster == nil && MicroRecipe().mixtures.allSatisfy { $0.size == nil })
        let reading = try Self.load("{\"vision_feature_layer\": -1, \"align_trains_language_model\": true}")
        #expect(reading.visionFeatureLayer == -1 && reading.alignTrainsLanguageModel)
        #expect(MicroRecipe().visionFeatureLayer == -2 && !MicroRecipe().alignTrainsLanguageModel)
        #expect(decoded.towerPretrain == MicroRecipe.quick.towerPretrain && decoded.towerPretrain != nil)
        #expect(try Self.load("{\"tower_pretrain\": {\"epochs\": 7}}").towerPretrain?.epochs == 7)
        #expect(decoded.alignReplay == MicroRecipe.quick.alignReplay && decoded.alignReplay > 0 && MicroRecipe().alignReplay == 0)
        #expect(try Self.load("{\"align_trains_tower\": true}").alignTrainsTower && !MicroRecipe().alignTrainsTower)
        #expect(try Self.load("{\"warmup_replay\": 9, \"warmup_after_corpus\": true, \"lookup_scenes\": 8}").warmupReplay == 9)
        #expect(MicroRecipe().warmupReplay == 0)
    }

    @Test func theShippedConfigIsTheDefaultRecipe() throws {
        let shipped = try MicroRecipe.load(from: SharedConfig.micro)
        #expect(try Self.sameSettings(shipped, MicroRecipe()))
    }

    @Test func theLongConfigIsTheDefaultRecipeWithMoreData() throws {
        var long = try MicroRecipe.load(from: SharedConfig.micro.deletingLastPathComponent().appendingPathComponent("micro-long.json"))
        try long.validate()
        let defaults = MicroRecipe()
        #expect(long.counts.corpusScenes * long.corpusQuestions * long.pretrain.epochs
            >= 20 * defaults.counts.corpusScenes * defaults.corpusQuestions * defaults.pretrain.epochs)
        (long.counts, long.corpusQuestions, long.mixtureSize) = (defaults.counts, defaults.corpusQuestions, defaults.mixtureSize)
        (long.pretrain.epochs, long.instruct.epochs) = (defaults.pretrain.epochs, defaults.instruct.epochs)
        #expect(try Self.sameSettings(long, defaults))
    }

    @Test func theReadingConfigIsTheLongRecipeWithALookupWarmUp() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        var reading = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reading.json"))
        let long = try MicroRecipe.load(from: configs.appendingPathComponent("micro-long.json"))
        #expect(reading.lookupScenes > 0 && reading.lookupWarmup.epochs > 1)
        (reading.lookupScenes, reading.lookupWarmup.epochs) = (long.lookupScenes, long.lookupWarmup.epochs)
        #expect(try Self.sameSettings(reading, long))
    }

    @Test func theReachConfigIsTheReadingRecipeWithJudgementsAndADosedControl() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        var reach = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach.json"))
        let reading = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reading.json"))
        #expect(reach.judgementScenes > 0 && reach.warmupAfterCorpus)
        let control = try #require(reach.mixtures.first { $0.control })
        #expect((control.size ?? 0) > reach.mixtureSize && (reach.controlPerCluster ?? 0) > reach.counts.trainPerCluster)
        #expect(reach.mixtures == [control])
        (reach.judgementScenes, reach.warmupAfterCorpus, reach.controlPerCluster) = (0, false, nil)
        reach.mixtures = reading.mixtures
        #expect(try Self.sameSettings(reach, reading))
    }

    @Test func theVisionConfigIsTheDefaultRecipeWithAPretrainedTowerAndAStageOneThatReads() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        var vision = try MicroRecipe.load(from: configs.appendingPathComponent("micro-vision.json"))
        let defaults = MicroRecipe()
        let tower = try #require(vision.towerPretrain)
        #expect(vision.counts.captions >= 8 * defaults.counts.captions && vision.visionFeatureLayer == -1)
        #expect(vision.alignTrainsLanguageModel && tower.epochs > 1 && defaults.towerPretrain == nil)
        (vision.counts.captions, vision.visionFeatureLayer, vision.alignTrainsLanguageModel, vision.towerPretrain)
            = (defaults.counts.captions, defaults.visionFeatureLayer, defaults.alignTrainsLanguageModel, nil)
        #expect(try Self.sameSettings(vision, defaults))
    }

    /// `recipe` with `parent`'s stage-1 settings, after checking that it holds `micro-vision.json`'s (tower
    /// pretraining, captions, feature layer, stage 1 training the language model, stage-1 schedule).
    static func withoutVisionStageOne(_ recipe: MicroRecipe, parent: MicroRecipe) throws -> MicroRecipe {
        let vision = try MicroRecipe.load(from: SharedConfig.micro.deletingLastPathComponent().appendingPathComponent("micro-vision.json"))
        #expect((recipe.counts.captions, recipe.visionFeatureLayer, recipe.alignTrainsLanguageModel, recipe.towerPretrain, recipe.align)
            == (vision.counts.captions, vision.visionFeatureLayer, vision.alignTrainsLanguageModel, vision.towerPretrain, vision.align))
        var stripped = recipe
        (stripped.counts.captions, stripped.visionFeatureLayer, stripped.alignTrainsLanguageModel, stripped.towerPretrain)
            = (parent.counts.captions, parent.visionFeatureLayer, parent.alignTrainsLanguageModel, nil)
        return stripped
    }

    @Test func theLongVisionConfigIsTheLongRecipeWithTheVisionStageOne() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let both = try MicroRecipe.load(from: configs.appendingPathComponent("micro-long-vision.json"))
        let long = try MicroRecipe.load(from: configs.appendingPathComponent("micro-long.json"))
        #expect(try Self.sameSettings(Self.withoutVisionStageOne(both, parent: long), long))
    }

    @Test func theReachVisionConfigIsTheReachRecipeWithTheVisionStageOneAndMLAN() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let both = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision.json"))
        let reach = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach.json"))
        // mlan takes the whole language pool: 10 language files of train_per_cluster records each.
        #expect(both.mixtures == [.init(name: "mlan", languageFraction: 1, size: 10 * both.counts.trainPerCluster)] + reach.mixtures)
        var stripped = try Self.withoutVisionStageOne(both, parent: reach)
        stripped.mixtures = reach.mixtures
        #expect(try Self.sameSettings(stripped, reach))
    }

    @Test func theDosedVisionConfigIsTheVisionRecipeWithMoreImagesAndADosedControl() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let vision = try MicroRecipe.load(from: configs.appendingPathComponent("micro-vision.json"))
        var dosed = try Self.withoutTheExtraImages(
            MicroRecipe.load(from: configs.appendingPathComponent("micro-vision-dosed.json")), parent: vision)
        let control = try #require(dosed.mixtures.first { $0.control })
        #expect((control.size ?? 0) > dosed.mixtureSize && (dosed.controlPerCluster ?? 0) > dosed.counts.trainPerCluster)
        dosed.controlPerCluster = nil
        for index in dosed.mixtures.indices where dosed.mixtures[index].control { dosed.mixtures[index].size = nil }
        #expect(try Self.sameSettings(dosed, vision))
    }

    @Test func theDosedReachVisionConfigIsTheReachVisionRecipeWithMoreImagesAndOnlyTheControl() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let parent = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision.json"))
        var dosed = try Self.withoutTheExtraImages(
            MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision-dosed.json")), parent: parent)
        #expect(dosed.mixtures == parent.mixtures.filter(\.control) && !dosed.mixtures.isEmpty)
        dosed.mixtures = parent.mixtures
        #expect(try Self.sameSettings(dosed, parent))
    }

    /// Each replay config is its parent with stage 1 replaying half as many warm-up examples as it has captions (a
    /// third of stage 1), beside them in a stage 1 that trains the language model.
    @Test(arguments: [("micro-reach-vision-replay.json", "micro-reach-vision-dosed.json"),
                      ("micro-reach-vision-keep-replay.json", "micro-reach-vision-keep.json")])
    func aReplayConfigIsItsParentReplayingAThirdOfStageOne(config: String, parent: String) throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let original = try MicroRecipe.load(from: configs.appendingPathComponent(parent))
        var replaying = try MicroRecipe.load(from: configs.appendingPathComponent(config))
        #expect(replaying.alignReplay * 2 == replaying.counts.captions && replaying.alignTrainsLanguageModel)
        replaying.alignReplay = original.alignReplay
        #expect(try Self.sameSettings(replaying, original))
    }

    @Test func theTowerConfigIsTheDosedReachVisionRecipeKeepingTheCorpusAndAligningTheTowerUnderAFrozenLanguageModel() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let dosed = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision-dosed.json"))
        var tower = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision-tower.json"))
        #expect(tower.alignTrainsTower && !tower.alignTrainsLanguageModel && tower.towerPretrain != nil)
        #expect(!dosed.alignTrainsTower && dosed.alignTrainsLanguageModel && tower.align.learningRate == 3 * dosed.align.learningRate)
        // The whole of stage 0's corpus and generic instructions (1920 scenes, 3 lines each, and 1920 instructions).
        #expect(tower.warmupReplay == 4 * tower.counts.corpusScenes && dosed.warmupReplay == 0)
        (tower.alignTrainsTower, tower.alignTrainsLanguageModel, tower.align) = (false, true, dosed.align)
        tower.warmupReplay = 0
        #expect(try Self.sameSettings(tower, dosed))
    }

    @Test func theKeepConfigIsTheDosedReachVisionRecipeReplayingTheCorpusInTheWarmUp() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let dosed = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision-dosed.json"))
        var keep = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision-keep.json"))
        #expect(keep.warmupReplay == 4 * keep.counts.corpusScenes && keep.alignTrainsLanguageModel)
        keep.warmupReplay = dosed.warmupReplay
        #expect(try Self.sameSettings(keep, dosed))
    }

    @Test func theTowerMLANConfigIsTheTowerRecipeWithThePapersThreeMixturesBesideItsControl() throws {
        let configs = SharedConfig.micro.deletingLastPathComponent()
        let tower = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision-tower.json"))
        let shipped = try MicroRecipe.load(from: SharedConfig.micro)
        var mlan = try MicroRecipe.load(from: configs.appendingPathComponent("micro-reach-vision-tower-mlan.json"))
        // mlan, mlan_v and vision_heavy at the shipped language shares and the mixture size, then the tower's control.
        #expect(mlan.mixtures == shipped.mixtures.filter { !$0.control } + tower.mixtures)
        mlan.mixtures = tower.mixtures
        #expect(try Self.sameSettings(mlan, tower))
    }

    /// Checks that `recipe` pretrains its tower on four times `parent`'s images at about the same number of tower
    /// steps, and returns it with `parent`'s images and tower schedule.
    static func withoutTheExtraImages(_ recipe: MicroRecipe, parent: MicroRecipe) throws -> MicroRecipe {
        let (tower, parentTower) = (try #require(recipe.towerPretrain), try #require(parent.towerPretrain))
        #expect(recipe.counts.captions == 4 * parent.counts.captions)
        #expect(abs(recipe.counts.captions * tower.epochs - parent.counts.captions * parentTower.epochs)
            <= parent.counts.captions * parentTower.epochs / 10)
        var stripped = recipe
        (stripped.counts.captions, stripped.towerPretrain) = (parent.counts.captions, parentTower)
        return stripped
    }

    @Test func theDefaultVocabularyKeepsEveryCompoundObjectNameOneToken() throws {
        let recipe = MicroRecipe()
        #expect(recipe.objectWords == .compound)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("words-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = try MicroWorld(seed: 43, scenes: recipe.sceneGenerator(), corpusQuestions: recipe.corpusQuestions,
                                      objectWords: recipe.objectWords).write(to: root, counts: recipe.counts)
        let tokenizer = try MicroExperiment.trainTokenizer(world: root, manifest: manifest,
                                                           vocabularySize: recipe.vocabularySize)
        #expect(MicroExperiment.objectNamesSplit(by: tokenizer, words: .compound) == [])
        // The check can fail: a vocabulary too small to hold all the names splits some of them.
        let small = try MicroExperiment.trainTokenizer(world: root, manifest: manifest, vocabularySize: 400)
        #expect(!MicroExperiment.objectNamesSplit(by: small, words: .compound).isEmpty)
        #expect(MicroExperiment.objectNamesSplit(by: small, words: .separate).isEmpty)
    }
}

enum SharedConfig {
    static let micro = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Configs/micro.json")
}
