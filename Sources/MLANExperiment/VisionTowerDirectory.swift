import Foundation
import MLANCore
import MLANData
import MLANModel

/// A CLIP vision tower as a Hugging Face `CLIPVisionModel` directory: `config.json` (`clip_vision_model`),
/// `model.safetensors` with the tower's tensors under `vision_model.`, and the `preprocessor_config.json` of the
/// images it was trained on: what `--vision-tower` and `CLIPVisionModel.load(from:)` read.
enum VisionTowerDirectory {
    /// Writes `tower` and its image `processor` to `directory` (whole or not at all), replacing what is there.
    /// - Throws: `CheckpointError.unreadable` naming the path when a file cannot be written.
    static func write(_ tower: CLIPVisionModel, processor: CLIPImageProcessor, to directory: URL) throws {
        var tensors: [String: SafetensorsEntry] = [:]
        for (name, entry) in HuggingFaceWriter.stateDictionary(tower) { tensors["vision_model." + name] = entry }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let config = try encoder.encode(tower.config)
        try HuggingFaceWriter.writeDirectory(directory) { staging in
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: staging.appendingPathComponent("model.safetensors"))
            try AtomicFile.write(Array(config) + [0x0A], to: staging.appendingPathComponent("config.json"))
            try AtomicFile.write(try processor.preprocessorConfig.jsonBytes(pretty: true) + [0x0A],
                                 to: staging.appendingPathComponent("preprocessor_config.json"))
        }
    }
}
