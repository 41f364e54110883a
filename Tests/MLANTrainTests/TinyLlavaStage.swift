import Foundation
import MLANCore
import MLANData
import MLANModel
@testable import MLANTrain

/// A folder with everything `mlan train --config` needs for a tiny LLaVA: a tokenizer trained on the data, a
/// saved model (CLIP tiny tower, 16 image tokens), two 16×16 PNGs and two LLaVA JSON files (captions, and
/// conversations with one image example and one text example).
struct TinyLlavaStage {
    let root: URL
    let llava: LlavaForConditionalGeneration

    /// Captions (for `align`): two images with the `plain` template's shape.
    static let captions = """
    [{"id": "c0", "image": "red.png", "conversations": [
       {"from": "human", "value": "<image>"}, {"from": "gpt", "value": "A red square."}]},
     {"id": "c1", "image": "blue.png", "conversations": [
       {"from": "human", "value": "<image>"}, {"from": "gpt", "value": "A blue square."}]}]
    """

    /// Conversations (for `instruct`): one about an image, one text-only.
    static let conversations = """
    [{"id": "v0", "image": "red.png", "conversations": [
       {"from": "human", "value": "<image>\\nWhat colour is the square?"}, {"from": "gpt", "value": "It is red."}]},
     {"id": "t0", "conversations": [
       {"from": "human", "value": "What colour is the sky?"}, {"from": "gpt", "value": "It is blue."}]}]
    """

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-stage-\(UUID().uuidString)")
        let modelDirectory = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: modelDirectory, withIntermediateDirectories: true)
        var tokenizer = try BPETrainer(vocabularySize: 300, specialTokens: ["<pad>", "</s>"])
            .train(texts: ["What colour is the square? It is red.", "What colour is the sky? It is blue.", "A red square."])
        tokenizer.padTokenID = tokenizer.tokenID("<pad>")
        tokenizer.eosTokenID = tokenizer.tokenID("</s>")
        var language = LlamaConfig.tiny
        language.vocabSize = tokenizer.vocabularySize
        language.eosTokenID = tokenizer.eosTokenID
        language.bosTokenID = nil
        language.maxPositionEmbeddings = 512  // the v1 system prompt alone is ~200 tokens of this tiny BPE
        var rng = SplitMix64(seed: 5)
        llava = LlavaForConditionalGeneration(languageModel: LlamaForCausalLM(language, rng: &rng),
                                              visionTower: CLIPVisionModel(.tiny, rng: &rng), seed: 6)
        try llava.save(to: modelDirectory)
        try tokenizer.write(to: modelDirectory.appendingPathComponent("tokenizer.json"))
        try RGBImage(width: 16, height: 16, filledWith: (200, 30, 30)).writePNG(to: root.appendingPathComponent("red.png"))
        try RGBImage(width: 16, height: 16, filledWith: (30, 30, 200)).writePNG(to: root.appendingPathComponent("blue.png"))
        try Data(Self.captions.utf8).write(to: root.appendingPathComponent("align.json"))
        try Data(Self.conversations.utf8).write(to: root.appendingPathComponent("instruct.json"))
    }

    /// A stage config for `stage` (`align` reads the captions, any other stage the conversations): one optimizer
    /// step over both examples.
    func config(_ stage: String) throws -> StageConfig {
        let json = """
        {"stage": "\(stage)", "output": "\(root.appendingPathComponent("out-\(stage)").path)",
         "model": {"llava": "\(root.appendingPathComponent("model").path)"},
         "data": [{"file": "\(root.appendingPathComponent(stage == "align" ? "align.json" : "instruct.json").path)", "dataset": "tiny", "task_cluster": "colour"}],
         "image_root": "\(root.path)",
         "train": {"learning_rate": 0.001, "global_batch_size": 2, "micro_batch_size": 1, "max_length": 512,
                   "group_by_modality_length": false, "log_every": 0}}
        """
        let url = root.appendingPathComponent("stage-\(stage).json")
        try Data(json.utf8).write(to: url)
        return try StageConfig.load(from: url)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
