import Foundation
import MLANCore
import MLANData
import MLANModel
import Testing
@testable import MLANTrain

@Suite struct StageRunnerTests {
    /// Parameter counts of the tiny model's components.
    static func counts(_ llava: LlavaForConditionalGeneration) -> (language: Double, projector: Double, tower: Double) {
        func count(_ c: LlavaComponent) -> Double { Double(llava.parameters(of: c).reduce(0) { $0 + $1.tensor.count }) }
        return (count(.languageModel), count(.projector), count(.visionTower))
    }

    @Test(arguments: ["align", "instruct"])
    func stageCountsTheFrozenVisionTowerForwardOnly(stage: String) throws {
        let tiny = try TinyLlavaStage()
        defer { tiny.remove() }
        var runner = StageRunner(try tiny.config(stage))
        runner.printsProgress = false
        let e = try runner.run().efficiency
        // align: two captioned images; instruct: one image and one text example. 16 tokens per image, one step.
        #expect(e.examples == 2 && e.optimizerSteps == 1 && e.textTokens > 0, "\(e)")
        #expect(e.imageTokens == (stage == "align" ? 32 : 16), "\(e)")
        let n = Self.counts(tiny.llava)
        let all = Double(e.textTokens + e.imageTokens), image = Double(e.imageTokens)
        // The LLM runs on every position (trained in stage 2: 6·N·T; frozen in stage 1 with gradients flowing
        // through to the projector: 4·N·T); the projector trains on image positions (6·N·T); the frozen tower
        // runs forward only on image positions (2·N·T).
        let language = stage == "instruct" ? 6 * n.language * all : 4 * n.language * all
        let expected = language + 6 * n.projector * image + 2 * n.tower * image
        #expect(e.flops == expected, "\(e.flops) vs \(expected)")
        let written = try JSONDecoder().decode(EfficiencyReport.self, from: Data(contentsOf: URL(fileURLWithPath: try tiny.config(stage).output)
            .appendingPathComponent("efficiency.json")))
        #expect(written == e)
    }

    @Test func pretrainCountsTheLanguageModelAlone() throws {
        let tiny = try TinyLlavaStage()
        defer { tiny.remove() }
        var config = try tiny.config("pretrain")
        let text = tiny.root.appendingPathComponent("corpus.txt")
        try Data("the sky is blue\nthe square is red\n".utf8).write(to: text)
        config.data = [.init(file: text.path, dataset: "corpus", taskCluster: "text")]
        var runner = StageRunner(config)
        runner.printsProgress = false
        let e = try runner.run().efficiency
        #expect(e.imageTokens == 0 && e.examples == 2)
        #expect(e.flops == 6 * Self.counts(tiny.llava).language * Double(e.textTokens))
    }

    @Test func pretrainSavesTheLanguageModelItTrained() throws {
        let tiny = try TinyLlavaStage()
        defer { tiny.remove() }
        let text = tiny.root.appendingPathComponent("corpus.txt")
        try Data("the sky is blue\nthe square is red\n".utf8).write(to: text)
        // Composed from a language model without a vision tower: no ViT-L is built, only the LLM is saved.
        let language = tiny.root.appendingPathComponent("language")
        try HuggingFaceWriter.save(tiny.llava.languageModel, tokenizer: try TokenizerLoader.load(
            directory: tiny.root.appendingPathComponent("model"), config: tiny.llava.config.textConfig), to: language)
        var config = try tiny.config("pretrain")
        config.model = .init(languageModel: language.path)
        config.data = [.init(file: text.path, dataset: "corpus", taskCluster: "text")]
        config.train.epochs = 3  // one step each; the first has the warm-up's learning rate of 0
        var runner = StageRunner(config)
        runner.printsProgress = false
        try runner.run()
        let saved = URL(fileURLWithPath: config.output).appendingPathComponent("model")
        let config0 = try JSONSerialization.jsonObject(with: Data(contentsOf: saved.appendingPathComponent("config.json")))
        #expect((config0 as? [String: Any])?["model_type"] as? String == "llama")
        let trained = try LanguageModelLoader.load(from: saved).model
        let untrained = try LanguageModelLoader.load(from: language).model
        let ids = [[3, 7, 11, 5]]
        #expect(trained.config.vocabSize == untrained.config.vocabSize)
        let changed = zip(trained.logits(ids: ids).scalars, untrained.logits(ids: ids).scalars).contains { $0 != $1 }
        #expect(changed, "the saved model is the trained one")
    }
}
