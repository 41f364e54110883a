import Foundation
import MLANCore
import MLANModel

/// The text `mlan model inspect` prints.
public enum ModelInspection {
    /// A summary of the model at `url` (a `.gguf` file or a Hugging Face directory): format, architecture, parameter
    /// count and every tensor with its shape and type.
    /// - Throws: `ModelError.unrecognizedModel` when nothing is there; config, GGUF and safetensors errors.

    public static func describe(_ url: URL) throws -> String {
        var lines: [String] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError.unrecognizedModel(path: url.path)
        }
        let config: LlamaConfig
        var tensors: [(String, [Int], String)] = []
        if isDirectory.boolValue {
            config = try LlamaConfig.load(from: url.appendingPathComponent("config.json"))
            let source = try SafetensorsSource(directory: url)
            for name in source.names { tensors.append((name, try source.shape(of: name), "F32/F16/BF16")) }
            lines.append("format: Hugging Face directory")
        } else {
            let file = try GGUFFile.load(from: url)
            config = try LlamaConfig(gguf: file)
            for info in file.tensorInfos { tensors.append((info.name, info.shape, "\(info.type)")) }
            lines.append("format: GGUF v\(file.version), \(file.metadataKeys.count) metadata keys")
        }
        let count = tensors.reduce(0) { $0 + $1.1.reduce(1, *) }
        lines.append("architecture: llama (\(config.numHiddenLayers) layers, hidden \(config.hiddenSize), "
            + "heads \(config.numAttentionHeads)/\(config.numKeyValueHeads) KV, head size \(config.headSize), "
            + "FFN \(config.intermediateSize), vocab \(config.vocabSize), "
            + "\(config.tieWordEmbeddings ? "tied" : "untied") head, RoPE θ \(config.ropeTheta), RMS ε \(config.rmsNormEps))")
        lines.append("parameters: \(count) (\(String(format: "%.1f", Double(count) / 1e6)) M)")
        lines.append("tensors (\(tensors.count)):")
        for (name, shape, type) in tensors { lines.append("  \(name) \(shape) \(type)") }
        return lines.joined(separator: "\n")
    }
}
