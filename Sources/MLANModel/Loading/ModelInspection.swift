import Foundation
import MLANCore

/// The text `mlan model inspect` prints.
public enum ModelInspection {
    /// A summary of the model at `url` (a `.gguf` file, a Hugging Face Llama directory or a LLaVA directory): format,
    /// architecture, parameter count, the memory its weights take in each `--weights` form, and every tensor with
    /// its shape and type.
    /// - Throws: `ModelError.unrecognizedModel` when nothing is there; config, GGUF and safetensors errors.
    public static func describe(_ url: URL) throws -> String {
        var lines: [String] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError.unrecognizedModel(path: url.path)
        }
        let config: LlamaConfig
        var tensors: [Entry] = []
        if isDirectory.boolValue {
            let configURL = url.appendingPathComponent("config.json")
            let source = try SafetensorsSource(directory: url)
            let llava = try isLlava(configURL)
            config = llava ? try LlavaConfig.load(from: configURL).textConfig : try LlamaConfig.load(from: configURL)
            for name in source.names {
                let ours = llava ? LlavaKeyMap.ourName(forCheckpointKey: name) : name
                let dtype = try source.dtype(of: name)
                let stored: GGMLType = dtype == .bfloat16 ? .bf16 : dtype == .float16 ? .f16 : .f32
                tensors.append(Entry(name: name, shape: try source.shape(of: name), type: dtype.rawValue, stored: stored,
                                     inDecoder: !llava || ours?.hasPrefix(LlavaComponent.languageModel.prefix) == true))
            }
            lines.append("format: Hugging Face \(llava ? "LLaVA " : "")directory")
        } else {
            let file = try GGUFFile.load(from: url)
            config = try LlamaConfig(gguf: file)
            for info in file.tensorInfos {
                tensors.append(Entry(name: info.name, shape: info.shape, type: "\(info.type)", stored: info.type, inDecoder: true))
            }
            lines.append("format: GGUF v\(file.version), \(file.metadataKeys.count) metadata keys")
        }
        let count = tensors.reduce(0) { $0 + $1.count }
        lines.append("architecture: llama (\(config.numHiddenLayers) layers, hidden \(config.hiddenSize), "
            + "heads \(config.numAttentionHeads)/\(config.numKeyValueHeads) KV, head size \(config.headSize), "
            + "FFN \(config.intermediateSize), vocab \(config.vocabSize), "
            + "\(config.tieWordEmbeddings ? "tied" : "untied") head, RoPE θ \(config.ropeTheta), RMS ε \(config.rmsNormEps))")
        lines.append("parameters: \(count) (\(String(format: "%.1f", Double(count) / 1e6)) M)")
        lines.append("memory of the weights by --weights form (norms, biases, vision tower and projector stay Float32):")
        for form in WeightForm.allCases {
            lines.append("  \(form.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))"
                + Self.format(bytes: weightBytes(tensors, form: form)))
        }
        let kvPer1024 = 2 * config.numHiddenLayers * config.numKeyValueHeads * config.headSize * 4 * 1024
        lines.append("KV cache (Float32): \(Self.format(bytes: kvPer1024)) per 1024 positions of one sequence")
        lines.append("tensors (\(tensors.count)):")
        for entry in tensors { lines.append("  \(entry.name) \(entry.shape) \(entry.type)") }
        return lines.joined(separator: "\n")
    }

    /// One stored tensor; `inDecoder`: part of the language model (whose matrices a weight form changes).
    struct Entry {
        let name: String, shape: [Int], type: String, stored: GGMLType, inDecoder: Bool
        var count: Int { shape.reduce(1, *) }
    }

    /// The bytes `tensors` take once loaded in `form`: the decoder's matrices as `WeightForm.bytes` says, every
    /// other tensor Float32.
    static func weightBytes(_ tensors: [Entry], form: WeightForm) -> Int {
        tensors.reduce(0) { total, entry in
            total + (entry.inDecoder && entry.shape.count == 2
                     ? form.bytes(ofMatrix: entry.shape, stored: entry.stored) : 4 * entry.count)
        }
    }

    static func format(bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.2f GiB", Double(bytes) / Double(1 << 30))
            : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }

    /// Whether `config.json` describes a LLaVA model (has a `vision_config`).
    private static func isLlava(_ configURL: URL) throws -> Bool {
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw ModelError.invalidConfig(path: configURL.path, reason: "cannot read the file")
        }
        guard case .object(let keys) = try? JSONValue.parse(data) else {
            throw ModelError.invalidConfig(path: configURL.path, reason: "not a JSON object")
        }
        return keys["vision_config"] != nil
    }
}
