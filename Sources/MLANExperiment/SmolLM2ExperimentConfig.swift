import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTrain

/// The settings of the SmolLM2 MLAN experiment (`mlan experiment --config Configs/smollm2-mlan.json`): the base
/// model, the micro world, the vision tower, both stages' hyper-parameters, the stage-2 mixtures and their
/// language data, and the evaluation. Every count is here; nothing is hidden in code.
///
/// Fields a file leaves out keep the defaults below (member by member inside objects). A file may carry a
/// `"quick"` object whose fields replace the top-level ones (objects merged key by key) when
/// the experiment runs with `--quick`: the tiny smoke run of the test suite.
public struct SmolLM2ExperimentConfig: Sendable, Equatable {
    /// A stage-2 mixture: its name and the share of language-only examples.
    public struct MixtureSpec: Codable, Sendable, Equatable {
        public var name: String
        public var languageFraction: Double
        enum CodingKeys: String, CodingKey { case name, languageFraction = "language_fraction" }
    }

    /// A real language instruction set, its path relative to the data folder (`alpaca/alpaca_small.json`).
    public struct LanguageSource: Codable, Sendable, Equatable {
        public var file: String
        public var dataset: String
        public var taskCluster: String
        /// Records taken from the file (its first ones; nil: all).
        public var limit: Int?
        enum CodingKeys: String, CodingKey { case file, dataset, taskCluster = "task_cluster", limit }
    }

    /// LoRA instead of full fine-tuning in stage 2 (the language model then stays in its stored GGUF form).
    public struct LoRA: Codable, Sendable, Equatable {
        public var rank: Int
        public var alpha: Float
        public var targets: [String]
    }

    /// The micro world's size and look.
    public struct World: Codable, Sendable, Equatable {
        /// Stage-1 captions (one scene each).
        public var captions: Int
        /// Training records per cluster and modality (the text-described and image scene tasks).
        public var trainPerCluster: Int
        /// Evaluation records per held-out cluster and modality.
        public var evalPerCluster: Int
        /// Objects per box, `[lowest, highest]` within 1...4.
        public var objectsPerBox: [Int]
        enum CodingKeys: String, CodingKey {
            case captions, trainPerCluster = "train_per_cluster", evalPerCluster = "eval_per_cluster"
            case objectsPerBox = "objects_per_box"
        }
    }

    /// What is evaluated, and on how many documents (always the first N of each file, in file order).
    public struct Evaluation: Codable, Sendable, Equatable {
        /// Built-in language tasks, scored under both protocols.
        public var languageTasks: [String]
        /// `lm-eval` (log-likelihood, plain prompts) and/or `mlan` (generation, the chat template).
        public var protocols: [String]
        /// First N documents per language task.
        public var languageLimit: Int
        /// Built-in vision tasks (real images), scored under the `mlan` protocol.
        public var visionTasks: [String]
        /// First N documents per vision task.
        public var visionLimit: Int
        /// First N documents per held-out micro-world cluster (both modalities).
        public var microLimit: Int
        enum CodingKeys: String, CodingKey {
            case languageTasks = "language_tasks", protocols, languageLimit = "language_limit"
            case visionTasks = "vision_tasks", visionLimit = "vision_limit", microLimit = "micro_limit"
        }
    }

    /// Seeds the world, the tower and projector initialisation, the mixtures and the data order.
    public var seed: UInt64 = 42
    /// The base language model (GGUF or Hugging Face directory), relative to the working directory.
    public var languageModel = "models/SmolLM2-135M-Instruct.Q4_1.gguf"
    /// Stage 2's and the `mlan` protocol's conversation template: `chatml` is SmolLM2's own chat template.
    public var template = "chatml"
    public var world = World(captions: 1600, trainPerCluster: 200, evalPerCluster: 50, objectsPerBox: [1, 3])
    /// The vision tower trained from scratch (Hugging Face `CLIPVisionConfig` fields). Its images are stretched to
    /// its input size (NLVR's 400 × 100 to 128 × 128: no crop, no padding), so a square tower, which transformers'
    /// CLIP can represent, sees the whole scene.
    public var visionTower = CLIPVisionConfig(hiddenSize: 192, intermediateSize: 768, numHiddenLayers: 4,
                                              numAttentionHeads: 6, imageSize: 128, patchSize: 32, hiddenAct: .gelu)
    /// Stage 1: alignment on captions (`plain` template), projector and tower train, SmolLM2 frozen.
    public var align = TrainConfig()
    /// Stage 2: instruction tuning per mixture, projector and SmolLM2 train (full, or LoRA when `lora` is set).
    public var instruct = TrainConfig()
    /// Stage 2 with LoRA adapters instead of full fine-tuning (nil: full fine-tuning, as the paper).
    public var lora: LoRA?
    /// Save each tuned model in the Hugging Face LLaVA layout (`models/NAME`, what transformers'
    /// `LlavaForConditionalGeneration` loads); full fine-tuning only.
    public var saveModels = true
    /// Examples per stage-2 mixture (the same for every mixture).
    public var mixtureSize = 600
    /// The stage-2 mixtures; "aligned" (no stage 2) and "base" (SmolLM2 alone) are always evaluated too.
    public var mixtures = [MixtureSpec(name: "mlan", languageFraction: 1.0),
                           MixtureSpec(name: "mlan_v", languageFraction: 0.875),
                           MixtureSpec(name: "vision_heavy", languageFraction: 0.1)]
    /// Real language instruction sets drawn into every mixture's language part, beside the text scene tasks.
    public var languageData: [LanguageSource] = []
    public var evaluation = Evaluation(languageTasks: ["boolq", "openbookqa", "hellaswag", "arc_easy", "race"],
                                       protocols: ["lm-eval", "mlan"], languageLimit: 100,
                                       visionTasks: ["nlvr", "scienceqa_img"], visionLimit: 100, microLimit: 50)

    public init() {}

    /// The keys a config file may hold (`quick` only at the top).
    static let keys: Set<String> = ["seed", "language_model", "template", "world", "vision_tower", "align", "instruct",
                                    "lora", "save_models", "mixture_size", "mixtures", "language_data", "evaluation", "quick"]
    static let worldKeys: Set<String> = ["captions", "train_per_cluster", "eval_per_cluster", "objects_per_box"]
    static let evaluationKeys: Set<String> = ["language_tasks", "protocols", "language_limit", "vision_tasks",
                                              "vision_limit", "micro_limit"]
    static let trainKeys: Set<String> = ["learning_rate", "global_batch_size", "micro_batch_size", "epochs", "max_steps",
                                         "warmup_ratio", "schedule", "weight_decay", "max_grad_norm", "adam_beta1",
                                         "adam_beta2", "adam_epsilon", "max_length", "group_by_modality_length", "seed",
                                         "log_every", "checkpoint_every", "keep_checkpoints"]
    static let towerKeys: Set<String> = ["hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                                         "image_size", "image_width", "patch_size", "num_channels", "layer_norm_eps",
                                         "hidden_act", "model_type"]

    /// Reads `url`, applies its `quick` object when `quick` is set, and validates.
    /// - Throws: `ExperimentError.invalidSetting` whose field names the file and the JSON path (`FILE: instruct.epochs`).
    public static func load(from url: URL, quick: Bool = false) throws -> SmolLM2ExperimentConfig {
        func fail(_ field: String, _ reason: String) -> ExperimentError {
            .invalidSetting(field: field.isEmpty ? url.path : "\(url.path): \(field)", reason: reason)
        }
        let json: JSONValue
        do { json = try JSONValue.parse(Array(InputFile.read(url))) } catch {
            throw fail("", InputFile.reason(for: error))
        }
        guard case .object(var top) = json else { throw fail("", "expected a JSON object at the top level") }
        let quickOverride = top.removeValue(forKey: "quick")
        try checkKeys(.object(top), fail)
        if let quickOverride {
            guard case .object = quickOverride else { throw fail("quick", "expected an object of overrides") }
            do { try checkKeys(quickOverride, fail, prefix: "quick.") }
        }
        // Fields left out keep this type's defaults, inside nested objects too (the tower's, the stages').
        let defaults: JSONValue
        do { defaults = try JSONValue.parse(Array(try JSONEncoder().encode(SmolLM2ExperimentConfig()))) } catch {
            throw fail("", "cannot encode the defaults: \(error)")
        }
        var merged = merge(defaults, .object(top))
        if quick, let quickOverride { merged = merge(merged, quickOverride) }
        let config: SmolLM2ExperimentConfig
        do {
            config = try JSONDecoder().decode(SmolLM2ExperimentConfig.self, from: Data(try merged.jsonString().utf8))
        } catch let error as ModelError {
            throw fail("vision_tower", "\(error)")
        } catch {
            throw fail("", InputFile.reason(for: error))
        }
        do { try config.validate() } catch let ExperimentError.invalidSetting(field, reason) { throw fail(field, reason) }
        return config
    }

    /// Refuses keys the config does not know (a misspelt key would otherwise silently keep its default).
    private static func checkKeys(_ json: JSONValue, _ fail: (String, String) -> ExperimentError, prefix: String = "") throws {
        guard case .object(let top) = json else { return }
        func check(_ object: [String: JSONValue], _ known: Set<String>, _ path: String) throws {
            for key in object.keys.sorted() where !known.contains(key) {
                throw fail(path + key, "unknown key (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        try check(top, keys.subtracting(prefix.isEmpty ? [] : ["quick"]), prefix)
        for (key, known) in [("world", worldKeys), ("evaluation", evaluationKeys), ("align", trainKeys),
                             ("instruct", trainKeys), ("vision_tower", towerKeys)] {
            guard let value = top[key] else { continue }
            guard case .object(let object) = value else { throw fail(prefix + key, "expected an object") }
            try check(object, known, prefix + key + ".")
        }
    }

    /// `base` with `override`'s members replacing its own (objects merged member by member).
    static func merge(_ base: JSONValue, _ override: JSONValue) -> JSONValue {
        guard case .object(var left) = base, case .object(let right) = override else { return override }
        for (key, value) in right { left[key] = left[key].map { merge($0, value) } ?? value }
        return .object(left)
    }

    /// Checks every setting before anything runs.
    /// - Throws: `ExperimentError.invalidSetting` naming the field (its JSON path).
    public func validate() throws {
        func fail(_ field: String, _ reason: String) -> ExperimentError { .invalidSetting(field: field, reason: reason) }
        guard (try? BuiltinTemplates.named(template)) != nil else {
            throw fail("template", "\"\(template)\" is not one of \(BuiltinTemplates.names.joined(separator: ", "))")
        }
        do { try worldCounts.validate() } catch { throw fail("world", InputFile.reason(for: error)) }
        guard world.objectsPerBox.count == 2, let low = world.objectsPerBox.first, let high = world.objectsPerBox.last,
              1 <= low, low <= high, high <= 4 else {
            throw fail("world.objects_per_box", "expected [lowest, highest] within 1...4, got \(world.objectsPerBox)")
        }
        if let problem = visionTower.inconsistency { throw fail("vision_tower", problem) }
        for (name, stage) in [("align", align), ("instruct", instruct)] {
            do { try stage.validate() } catch let TrainError.invalidConfig(field, reason) { throw fail("\(name).\(field)", reason) }
        }
        if let lora {
            guard lora.rank > 0 else { throw fail("lora.rank", "must be positive, got \(lora.rank)") }
            guard lora.alpha > 0 else { throw fail("lora.alpha", "must be positive, got \(lora.alpha)") }
            let known = LlamaForCausalLM.LoRATarget.allCases.map(\.rawValue)
            guard !lora.targets.isEmpty else { throw fail("lora.targets", "list at least one of \(known)") }
            for target in lora.targets where !known.contains(target) {
                throw fail("lora.targets", "\"\(target)\" is not one of \(known.joined(separator: ", "))")
            }
        }
        if saveModels && lora != nil {
            throw fail("save_models", "the Hugging Face LLaVA layout needs full fine-tuning; set it false with lora")
        }
        guard mixtureSize > 0 else { throw fail("mixture_size", "must be positive, got \(mixtureSize)") }
        guard !mixtures.isEmpty else { throw fail("mixtures", "list at least one stage-2 mixture") }
        for (index, mixture) in mixtures.enumerated() {
            guard (0...1).contains(mixture.languageFraction) else {
                throw fail("mixtures[\(index)].language_fraction", "\(mixture.languageFraction) is outside 0...1")
            }
            guard !mixture.name.isEmpty, mixture.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw fail("mixtures[\(index)].name", "\"\(mixture.name)\" must be letters, digits, _ or -")
            }
        }
        let names = mixtures.map(\.name)
        guard Set(names).count == names.count, !names.contains("base"), !names.contains("aligned") else {
            throw fail("mixtures", "names must be unique and not \"base\" or \"aligned\"")
        }
        for (index, source) in languageData.enumerated() {
            guard !source.file.isEmpty, !source.dataset.isEmpty, !source.taskCluster.isEmpty else {
                throw fail("language_data[\(index)]", "file, dataset and task_cluster must be non-empty")
            }
            if let limit = source.limit, limit <= 0 { throw fail("language_data[\(index)].limit", "must be positive") }
        }
        for (index, name) in evaluation.protocols.enumerated() where !["lm-eval", "mlan"].contains(name) {
            throw fail("evaluation.protocols[\(index)]", "\"\(name)\" is not lm-eval or mlan")
        }
        for (field, value) in [("language_limit", evaluation.languageLimit), ("vision_limit", evaluation.visionLimit),
                               ("micro_limit", evaluation.microLimit)] where value <= 0 {
            throw fail("evaluation.\(field)", "must be positive, got \(value)")
        }
    }

    /// The world's counts (no stage-0 corpus: SmolLM2 is pretrained; the corpus is written but not trained on).
    var worldCounts: MicroWorldCounts {
        MicroWorldCounts(captions: world.captions, corpusScenes: 1, trainPerCluster: world.trainPerCluster,
                         evalPerCluster: world.evalPerCluster)
    }

    /// The LoRA targets as the model names them.
    var loraTargets: Set<LlamaForCausalLM.LoRATarget> {
        Set((lora?.targets ?? []).compactMap(LlamaForCausalLM.LoRATarget.init(rawValue:)))
    }
}

extension SmolLM2ExperimentConfig: Codable {
    enum CodingKeys: String, CodingKey {
        case seed, languageModel = "language_model", template, world, visionTower = "vision_tower", align, instruct
        case lora, saveModels = "save_models", mixtureSize = "mixture_size", mixtures, languageData = "language_data", evaluation
    }

    /// Reads the snake_case keys; a key left out keeps its default.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.seed, &seed); try read(.languageModel, &languageModel); try read(.template, &template)
        try read(.world, &world); try read(.visionTower, &visionTower); try read(.align, &align)
        try read(.instruct, &instruct); try read(.mixtureSize, &mixtureSize); try read(.mixtures, &mixtures)
        try read(.languageData, &languageData); try read(.evaluation, &evaluation)
        lora = try c.decodeIfPresent(LoRA.self, forKey: .lora)
        try read(.saveModels, &saveModels)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed); try c.encode(languageModel, forKey: .languageModel)
        try c.encode(template, forKey: .template); try c.encode(world, forKey: .world)
        try c.encode(visionTower, forKey: .visionTower); try c.encode(align, forKey: .align)
        try c.encode(instruct, forKey: .instruct); try c.encodeIfPresent(lora, forKey: .lora)
        try c.encode(saveModels, forKey: .saveModels)
        try c.encode(mixtureSize, forKey: .mixtureSize); try c.encode(mixtures, forKey: .mixtures)
        try c.encode(languageData, forKey: .languageData); try c.encode(evaluation, forKey: .evaluation)
    }
}
