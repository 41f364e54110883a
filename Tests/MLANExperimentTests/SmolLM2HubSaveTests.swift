import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTestSupport
import MLANTrain
import Testing
@testable import MLANExperiment

/// Opt-in (`MLAN_PYTHON=/path/to/venv/bin/python` with torch, transformers, safetensors and pillow): the experiment's
/// tuned-model save (`SmolLM2Experiment.saveHuggingFace`: SmolLM2 in Float32, a small CLIP tower, the projector,
/// SmolLM2's chat template, the image processor) loads in transformers' `AutoProcessor` and
/// `LlavaForConditionalGeneration` with MLAN's ids, pixels, chat rendering and logits (1e-4 relative;
/// `Scripts/hub-parity.py` compares) on a real NLVR test image.
///
/// The tower has the experiment's default input (128 × 128 in 32-pixel patches, the NLVR image stretched to it, as
/// `Configs/smollm2-mlan.json` and the experiment's image store give it), narrower so the test stays quick. With
/// `MLAN_EXPERIMENT_MODEL=OUT/models/NAME` as well, a model a full `make experiment` saved is checked the same way.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MLAN_PYTHON"] != nil))
struct SmolLM2HubSaveTests {
    @Test func savedModelLoadsInTransformersWithTheSameLogits() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("smollm2-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let shipped = try SmolLM2ExperimentConfig.load(from: SharedPaths.repositoryRoot.appendingPathComponent("Configs/smollm2-mlan.json"))
        var tower = shipped.visionTower
        (tower.hiddenSize, tower.intermediateSize, tower.numHiddenLayers, tower.numAttentionHeads) = (32, 64, 2, 2)
        let language = try LanguageModelLoader.load(from: SmolLM2ExperimentTests.model, weights: .f32)
        var rng = SplitMix64(seed: 7)
        let llava = LlavaForConditionalGeneration(languageModel: language.model,
                                                  visionTower: CLIPVisionModel(tower, rng: &rng),
                                                  projectorType: .mlp2xGELU, visionFeatureLayers: [-1], seed: 8)
        let processor = CLIPImageProcessor.stretched(height: tower.imageSize, width: tower.width)
        let template = ChatMLTemplate()
        let directory = root.appendingPathComponent("models/mlan")
        try SmolLM2Experiment.saveHuggingFace(llava, tokenizer: language.tokenizer, processor: processor,
                                              template: template, to: directory)
        try Self.expectTransformersAgree(directory: directory, scratch: root)
    }

    /// A model `make experiment` saved (`MLAN_EXPERIMENT_MODEL=OUT/models/mlan`, e.g. from a full run), checked the same way.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MLAN_EXPERIMENT_MODEL"] != nil))
    func experimentsSavedModelLoadsInTransformersWithTheSameLogits() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("smollm2-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let path = try #require(ProcessInfo.processInfo.environment["MLAN_EXPERIMENT_MODEL"])
        try Self.expectTransformersAgree(directory: URL(fileURLWithPath: path), scratch: root)
    }

    /// Writes MLAN's ids, pixel values and logits for a ChatML prompt on a real NLVR test image to `scratch`, and has
    /// `Scripts/hub-parity.py` compare transformers' on the LLaVA `directory`.
    static func expectTransformersAgree(directory: URL, scratch root: URL) throws {
        let template = ChatMLTemplate()
        let loaded = try MultimodalLoader.load(model: directory)
        let turns = [Turn(.user, "<image>\nIs there a yellow triangle?")]
        let prompt = template.render(turns, addGenerationPrompt: true)
        let images = try Self.firstNLVRImage()
        let (ids, logits) = try loaded.logits(prompt: prompt, images: images, allPositions: true)
        let rows = loaded.model.config.imageSeqLength, imageToken = loaded.model.config.imageTokenIndex
        let values = try loaded.pixels(images[0])
        let chat: JSONValue = ["messages": .array(turns.map { ["role": .string($0.role.rawValue), "content": .string($0.text)] }),
                               "add_generation_prompt": true, "rendered": .string(prompt)]
        let spec: JSONValue = [
            "directory": .string(directory.path), "bos": loaded.tokenizer.bosTokenID.map { .int($0) } ?? .null,
            "eos": loaded.tokenizer.eosTokenID.map { .int($0) } ?? .null, "texts": [], "chats": [chat],
            "prompt": .string(prompt), "images": .array(images.map { .string($0.path) }),
            "ids": .array(ids.flatMap { $0 == imageToken ? Array(repeating: $0, count: rows) : [$0] }.map { .int($0) }),
        ]
        let arraysURL = root.appendingPathComponent("expected.safetensors")
        try SafetensorsWriter.write(["llava.logits": .float32(logits),
                                     "llava.pixel_values.0": .float32(Tensor(shape: values.shape, scalars: values.values))],
                                    metadata: [:], to: arraysURL)
        let specURL = root.appendingPathComponent("expectations.json")
        try AtomicFile.write(try JSONValue.object(["arrays": .string(arraysURL.path), "llava": spec]).jsonBytes(pretty: true),
                             to: specURL)
        let python = try #require(ProcessInfo.processInfo.environment["MLAN_PYTHON"])
        let script = SharedPaths.repositoryRoot.appendingPathComponent("Scripts/hub-parity.py")
        let run = try ProcessRun.run(URL(fileURLWithPath: python), [script.path, specURL.path])
        print(run.stdout)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr.suffix(4000))")
    }

    static func firstNLVRImage() throws -> [URL] {
        let folder = SharedPaths.dataFile("nlvr/test/images/0")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().first { $0.hasSuffix(".png") })
        return [folder.appendingPathComponent(name)]
    }
}
