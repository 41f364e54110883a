import Foundation
import MLANData

/// One stage of the recipe as a JSON file (`Configs/*.json`), run by `mlan train --config FILE`.
///
/// ```json
/// {"stage": "instruct", "output": "runs/stage2",
///  "model": {"llava": "runs/stage1/model"},
///  "data": [{"file": "../shared/data/alpaca/alpaca_small.json", "dataset": "alpaca", "task_cluster": "instruction"}],
///  "mixture": {"language_fraction": 1.0, "total": 2000},
///  "template": "v1", "train": {"learning_rate": 2e-5, "global_batch_size": 64, "micro_batch_size": 4}}
/// ```
public struct StageConfig: Codable, Sendable {
    /// Which stage: what trains and which template applies by default.
    public enum Stage: String, Codable, Sendable {
        /// Language-model pretraining on raw text lines (only the language model trains).
        case pretrain
        /// Alignment on captions with the `plain` template (only the projector trains).
        case align
        /// Instruction tuning with the `v1` template (projector and language model train).
        case instruct
    }

    /// Where the model comes from.
    public struct ModelSource: Codable, Sendable {
        /// A LLaVA Hugging Face directory (config.json with a vision_config, model.safetensors, tokenizer.json).
        public var llava: String?
        /// A Llama-family language model (GGUF file or HF directory), composed with `visionTower`.
        public var languageModel: String?
        /// A CLIP vision directory to compose with `languageModel` (a fresh projector is added).
        public var visionTower: String?

        enum CodingKeys: String, CodingKey { case llava, languageModel = "language_model", visionTower = "vision_tower" }
    }

    /// A training data file and its held-out bookkeeping.
    public struct DataFile: Codable, Sendable {
        /// The LLaVA/Alpaca JSON(L) file (or a text file for `pretrain`).
        public var file: String
        /// The dataset's name, for held-out checks.
        public var dataset: String
        /// The task cluster, for held-out checks.
        public var taskCluster: String
        enum CodingKeys: String, CodingKey { case file, dataset, taskCluster = "task_cluster" }
    }

    /// A mixture drawn from the data files by modality.
    public struct MixtureSpec: Codable, Sendable {
        /// The share of language-only records.
        public var languageFraction: Double
        /// Records in the mixture.
        public var total: Int
        enum CodingKeys: String, CodingKey { case languageFraction = "language_fraction", total }
    }

    /// What trains.
    public var stage: Stage
    /// The run folder: log, checkpoints, `efficiency.json`, `model/`.
    public var output: String
    /// Where the model comes from.
    public var model: ModelSource
    /// For `pretrain`: text files, one document per line. Otherwise LLaVA/Alpaca JSON(L) files.
    public var data: [DataFile]
    /// The folder image paths are relative to.
    public var imageRoot: String?
    /// A mixture drawn from `data` by modality (nil: every record).
    public var mixture: MixtureSpec?
    /// Conversation template name; defaults by stage (`plain` for align, `v1` for instruct).
    public var template: String?
    /// The trainer's hyper-parameters.
    public var train: TrainConfig
    /// Seeds the mixture and a fresh projector (nil: `train.seed`).
    public var seed: UInt64?

    enum CodingKeys: String, CodingKey {
        case stage, output, model, data, imageRoot = "image_root", mixture, template, train, seed
    }

    /// Reads a stage config; relative paths in it are taken relative to the current directory.
    /// - Throws: `TrainError.invalidConfig` naming the file and the problem.
    public static func load(from url: URL) throws -> StageConfig {
        do { return try JSONDecoder().decode(StageConfig.self, from: InputFile.read(url)) } catch {
            throw TrainError.invalidConfig(field: url.path, reason: InputFile.reason(for: error))
        }
    }
}
