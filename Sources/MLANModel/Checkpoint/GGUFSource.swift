import MLANCore

/// A llama-architecture GGUF file seen in Hugging Face naming, dequantized to Float32 on demand.
///
/// llama.cpp's converter permutes the rows of `attn_q` and `attn_k` so its RoPE can rotate adjacent pairs;
/// this source undoes that permutation, giving the rotate-half layout Hugging Face uses.
public struct GGUFSource: TensorSource {
    public let file: GGUFFile
    let config: LlamaConfig
    /// Hugging Face name -> GGUF name.
    private let map: [String: String]
    public var path: String { file.path }
    public let names: [String]

    public init(_ file: GGUFFile, config: LlamaConfig) {
        self.file = file
        self.config = config
        var map: [String: String] = [:]
        for info in file.tensorInfos {
            if let name = KeyMap.huggingFaceName(forGGUF: info.name) { map[name] = info.name }
        }
        self.map = map
        names = map.keys.sorted()
    }

    public func shape(of name: String) throws -> [Int] { try file.info(named: ggufName(name)).shape }

    public func tensor(named name: String) throws -> Tensor {
        let original = try ggufName(name)
        let tensor = try file.tensor(named: original)
        if original.hasSuffix("attn_q.weight") {
            return try KeyMap.unpermuteRotary(tensor, heads: config.numAttentionHeads, name: original, path: path)
        }
        if original.hasSuffix("attn_k.weight") {
            return try KeyMap.unpermuteRotary(tensor, heads: config.numKeyValueHeads, name: original, path: path)
        }
        return tensor
    }

    private func ggufName(_ name: String) throws -> String {
        guard let original = map[name] else { throw CheckpointError.unreadable(path: path, reason: "no tensor '\(name)'") }
        return original
    }
}
