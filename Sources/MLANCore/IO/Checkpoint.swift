import Foundation

/// Where a training run stands in its data stream.
public struct DataPosition: Sendable, Equatable {
    /// The current epoch (0-based).
    public var epoch: Int
    /// The next example (or batch, as the trainer counts) to read within the epoch.
    public var index: Int

    /// A position at `index` of `epoch`.
    public init(epoch: Int, index: Int) {
        self.epoch = epoch
        self.index = index
    }
}

/// Everything needed to resume training exactly: model and optimizer tensors, the config, the step, the RNG
/// state and the data position, saved crash-safely to a directory.
///
/// Directory layout (format version 1):
/// - `model-<sha256 prefix>.safetensors`: `modelState`, F32, keys as given (Hugging Face names).
/// - `optimizer-<sha256 prefix>.safetensors`: `optimizerState` (e.g. `exp_avg.<param>`), F32.
/// - `checkpoint.json`: the sidecar with `step`, `config`, `optimizer` settings, `rng_state` (hex UInt64s),
///   `data_position`, `extra`, each tensor file's name, size and SHA-256, and `sidecar_sha256` over the rest.
///
/// Saving writes each tensor file to a temporary file, flushes it and renames it to its content-addressed name,
/// then replaces the sidecar atomically, last. A crash at any point leaves the previous sidecar pointing at its
/// own unchanged files, so the previous checkpoint stays loadable. Files of the previous checkpoint are removed
/// after the commit. Loading verifies sizes and checksums before parsing anything. One writer per directory.
///
/// ```swift
/// var checkpoint = Checkpoint(step: 120, config: config, modelState: parameters)
/// checkpoint.rngState = [rng.state]
/// try checkpoint.save(to: directory)
/// let resumed = try Checkpoint.load(from: directory)
/// ```
public struct Checkpoint: Sendable {
    /// The sidecar's file name inside the checkpoint directory.
    public static let sidecarName = "checkpoint.json"
    /// The format version this code writes and reads.
    public static let formatVersion = 1

    /// The optimizer steps taken so far.
    public var step: Int
    /// The model (and training) configuration, stored verbatim.
    public var config: JSONValue
    /// Model parameters by checkpoint key.
    public var modelState: [String: Tensor]
    /// Optimizer tensors (moments and the like) by key.
    public var optimizerState: [String: Tensor]
    /// Optimizer scalars and hyperparameters (name, learning rate, betas, per-group step counts, ...).
    public var optimizerSettings: JSONValue
    /// The random generators' states.
    public var rngState: [UInt64]
    /// Where the data stream stands.
    public var dataPosition: DataPosition
    /// Anything else the trainer wants back on resume (schedule state, mixture manifest id, ...).
    public var extra: JSONValue

    /// A checkpoint at `step`; unspecified parts start empty.
    public init(step: Int, config: JSONValue, modelState: [String: Tensor],
                optimizerState: [String: Tensor] = [:], optimizerSettings: JSONValue = .object([:]),
                rngState: [UInt64] = [], dataPosition: DataPosition = DataPosition(epoch: 0, index: 0),
                extra: JSONValue = .object([:])) {
        self.step = step
        self.config = config
        self.modelState = modelState
        self.optimizerState = optimizerState
        self.optimizerSettings = optimizerSettings
        self.rngState = rngState
        self.dataPosition = dataPosition
        self.extra = extra
    }

    /// Whether `directory` holds a checkpoint sidecar (its files are verified only by `load`).
    public static func exists(at directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(sidecarName).path)
    }

    /// Saves the checkpoint into `directory` (created if needed), replacing any checkpoint there atomically.
    /// - Throws: `CheckpointFileError` naming the file that could not be written.
    public func save(to directory: URL) throws(CheckpointFileError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory.path, reason: "cannot create directory: \(InputFile.reason(for: error))")
        }
        let model = try Self.writeTensorFile(role: "model", modelState, in: directory)
        let optimizer = try Self.writeTensorFile(role: "optimizer", optimizerState, in: directory)
        let sidecarURL = directory.appendingPathComponent(Self.sidecarName)
        let sidecar: [UInt8]
        do {
            sidecar = try sidecarValue(model: model, optimizer: optimizer).jsonBytes(pretty: true)
        } catch {
            throw .unencodable(path: sidecarURL.path, reason: error.description)
        }
        do { try AtomicFile.write(sidecar + [0x0A], to: sidecarURL) } catch {
            throw .io(path: sidecarURL.path, reason: error.description)
        }
        try Self.removeStaleFiles(in: directory, keeping: [model.name, optimizer.name])
    }

    /// Loads and verifies the checkpoint in `directory`.
    /// - Throws: `CheckpointFileError` naming the file and what is wrong: missing, truncated (size differs from the
    ///   sidecar), corrupted (SHA-256 differs), or malformed.
    public static func load(from directory: URL) throws(CheckpointFileError) -> Checkpoint {
        let sidecarURL = directory.appendingPathComponent(sidecarName)
        let sidecar = try SidecarReader(url: sidecarURL)
        let modelFile = try sidecar.tensorFileRecord("model")
        let optimizerFile = try sidecar.tensorFileRecord("optimizer")
        let modelState = try readTensorFile(modelFile, in: directory)
        let optimizerState = try readTensorFile(optimizerFile, in: directory)
        return Checkpoint(
            step: try sidecar.int("step"),
            config: try sidecar.field("config"),
            modelState: modelState,
            optimizerState: optimizerState,
            optimizerSettings: try sidecar.field("optimizer"),
            rngState: try sidecar.rngState(),
            dataPosition: try sidecar.dataPosition(),
            extra: try sidecar.field("extra"))
    }
}
