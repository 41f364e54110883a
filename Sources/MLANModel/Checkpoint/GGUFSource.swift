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

    /// Matrix `name` as stored, read in place (Q/K rows reordered to Hugging Face layout), or nil when its type
    /// has no `FrozenMatrix` kernels or it stores Float32 (then `tensor(named:)` gives it).
    /// - Throws: `CheckpointError.unreadable` for an unknown name, `.headLayout` for Q/K rows that do not split
    ///   into heads.
    public func frozenMatrix(named name: String) throws -> FrozenMatrix? {
        let original = try ggufName(name)
        let info = try file.info(named: original)
        guard info.type != .f32, FrozenMatrix.supports(info.type), info.dimensions.count == 2 else { return nil }
        var heads: Int?
        if original.hasSuffix("attn_q.weight") { heads = config.numAttentionHeads }
        if original.hasSuffix("attn_k.weight") { heads = config.numKeyValueHeads }
        guard let heads else { return try FrozenMatrix(gguf: file, tensor: original) }
        let rows = info.rowCount
        guard heads > 0, rows % (2 * heads) == 0 else {
            throw CheckpointError.headLayout(path: path, tensor: original, shape: info.shape, heads: heads)
        }
        // Hugging Face row (head, j, i) is stored row (head, i, j) for j in 0..<2, i in 0..<half.
        let half = rows / heads / 2
        let order = (0..<rows).map { r in
            let (head, within) = r.quotientAndRemainder(dividingBy: 2 * half)
            let (j, i) = within.quotientAndRemainder(dividingBy: half)
            return head * 2 * half + i * 2 + j
        }
        return try FrozenMatrix(gguf: file, tensor: original, rowOrder: order)
    }

    private func ggufName(_ name: String) throws -> String {
        guard let original = map[name] else { throw CheckpointError.unreadable(path: path, reason: "no tensor '\(name)'") }
        return original
    }
}
