import Foundation
import MLANCore

/// Named tensors in Hugging Face layout that a loader can pull one at a time.
public protocol TensorSource {
    /// Where the tensors come from, for error messages.
    var path: String { get }
    /// Every tensor name, in Hugging Face naming.
    var names: [String] { get }
    /// The shape of `name` without reading its data.
    func shape(of name: String) throws -> [Int]
    /// The tensor `name` as Float32 (16-bit floats upcast exactly).
    func tensor(named name: String) throws -> Tensor
    /// The tensor `name` as the file stores it (e.g. BF16 bytes), for code that keeps that precision.
    /// Sources that only hold Float32 (dequantized GGUF) give F32 bytes.
    func storedTensor(named name: String) throws -> StoredTensor
    /// The matrix `name` kept in its stored type and read in place (GGUF blocks, BF16/F16), or nil when the source
    /// stores it as Float32 or in a type without `FrozenMatrix` kernels (then `tensor(named:)` gives it).
    func frozenMatrix(named name: String) throws -> FrozenMatrix?
}

extension TensorSource {
    /// The F32 bytes of `tensor(named:)`.
    public func storedTensor(named name: String) throws -> StoredTensor {
        StoredTensor(float32: try tensor(named: name))
    }

    /// No stored form: the source only gives Float32.
    public func frozenMatrix(named name: String) throws -> FrozenMatrix? { nil }
}

/// One or more safetensors files (a sharded checkpoint's shards), seen as one source.
public struct SafetensorsSource: TensorSource {
    public let path: String
    private let files: [SafetensorsFile]
    private let owner: [String: Int]
    public let names: [String]

    /// Opens `files` (memory-mapped); a name in two files is an error.
    public init(files urls: [URL], path: String) throws {
        self.path = path
        files = try urls.map { try SafetensorsFile.load(from: $0) }
        var owner: [String: Int] = [:]
        for (i, file) in files.enumerated() {
            for name in file.names {
                if let other = owner[name] {
                    throw CheckpointError.unreadable(path: path, reason: "tensor '\(name)' is in both \(urls[other].lastPathComponent) and \(urls[i].lastPathComponent)")
                }
                owner[name] = i
            }
        }
        self.owner = owner
        names = owner.keys.sorted()
    }

    /// Opens a Hugging Face model directory: `model.safetensors`, or the shards a `model.safetensors.index.json`
    /// lists (each tensor must be in the shard its `weight_map` names, and every shard tensor in the map).
    /// - Throws: `CheckpointError.unreadable` naming the index and the tensor, or a shard's read error.
    public init(directory: URL) throws {
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: single.path) {
            try self.init(files: [single], path: directory.path)
        } else if FileManager.default.fileExists(atPath: index.path) {
            struct Index: Decodable { let weight_map: [String: String] }
            let map: Index
            do { map = try JSONDecoder().decode(Index.self, from: Data(contentsOf: index)) } catch {
                throw CheckpointError.unreadable(path: index.path, reason: "invalid index: \(InputFile.reason(for: error))")
            }
            let shardNames = Set(map.weight_map.values).sorted()
            if let bad = shardNames.first(where: { $0.isEmpty || $0.contains("/") || $0 == ".." }) {
                throw CheckpointError.unreadable(path: index.path, reason: "weight_map names shard '\(bad)', not a file beside it")
            }
            try self.init(files: shardNames.map { directory.appendingPathComponent($0) }, path: directory.path)
            for (name, shard) in map.weight_map.sorted(by: { $0.key < $1.key }) {
                guard let i = owner[name] else {
                    throw CheckpointError.unreadable(path: index.path, reason: "weight_map lists '\(name)' but \(shard) does not hold it")
                }
                guard shardNames[i] == shard else {
                    throw CheckpointError.unreadable(path: index.path,
                                                     reason: "weight_map puts '\(name)' in \(shard) but it is in \(shardNames[i])")
                }
            }
            if let stray = names.first(where: { map.weight_map[$0] == nil }) {
                throw CheckpointError.unreadable(path: index.path, reason: "'\(stray)' is in \(shardNames[owner[stray] ?? 0]) but not in weight_map")
            }
        } else {
            throw CheckpointError.unreadable(path: directory.path, reason: "no model.safetensors or model.safetensors.index.json")
        }
    }

    public func shape(of name: String) throws -> [Int] { try file(for: name).info(named: name).shape }
    public func tensor(named name: String) throws -> Tensor { try file(for: name).tensor(named: name) }
    public func storedTensor(named name: String) throws -> StoredTensor { try file(for: name).storedTensor(named: name) }
    public func frozenMatrix(named name: String) throws -> FrozenMatrix? {
        try FrozenMatrix(safetensors: file(for: name), tensor: name)
    }
    /// The element type `name` is stored in.
    public func dtype(of name: String) throws -> SafetensorsDType { try file(for: name).info(named: name).dtype }

    private func file(for name: String) throws -> SafetensorsFile {
        guard let i = owner[name] else { throw CheckpointError.unreadable(path: path, reason: "no tensor '\(name)'") }
        return files[i]
    }
}

/// Renames (and optionally transforms) another source's tensors: for checkpoints whose keys differ from ours.
public struct RenamedSource: TensorSource {
    let base: any TensorSource
    /// Our name -> the base's name.
    let map: [String: String]
    public var path: String { base.path }
    public let names: [String]

    /// Keeps the base names `rename` maps to a non-nil name, under that name.
    public init(_ base: any TensorSource, rename: (String) -> String?) {
        self.base = base
        var map: [String: String] = [:]
        for name in base.names { if let ours = rename(name) { map[ours] = name } }
        self.map = map
        names = map.keys.sorted()
    }

    public func shape(of name: String) throws -> [Int] { try base.shape(of: lookup(name)) }
    public func tensor(named name: String) throws -> Tensor { try base.tensor(named: lookup(name)) }
    public func storedTensor(named name: String) throws -> StoredTensor { try base.storedTensor(named: lookup(name)) }
    public func frozenMatrix(named name: String) throws -> FrozenMatrix? { try base.frozenMatrix(named: lookup(name)) }

    private func lookup(_ name: String) throws -> String {
        guard let original = map[name] else { throw CheckpointError.unreadable(path: path, reason: "no tensor '\(name)'") }
        return original
    }
}
