import Foundation

/// The sidecar's record of one tensor file: its name in the directory, size and SHA-256.
struct CheckpointFileRecord: Equatable {
    let name: String
    let byteCount: Int
    let sha256: String

    var json: JSONValue { ["name": .string(name), "bytes": .int(byteCount), "sha256": .string(sha256)] }
}

extension Checkpoint {
    /// Writes `tensors` as F32 safetensors to a temporary file, then renames it to `<role>-<sha256 prefix>`.
    static func writeTensorFile(role: String, _ tensors: [String: Tensor], in directory: URL)
        throws(CheckpointFileError) -> CheckpointFileRecord
    {
        let placeholder = directory.appendingPathComponent("\(role).safetensors")
        let pending: PendingFile
        do { pending = try PendingFile(besides: placeholder) } catch {
            throw .io(path: placeholder.path, reason: error.description)
        }
        do {
            try SafetensorsWriter.write(tensors.mapValues { .float32($0) }, metadata: [:], into: pending,
                                        path: placeholder.path)
        } catch {
            throw .io(path: placeholder.path, reason: error.description)
        }
        let digest = SHA256.hex(pending.hasher.finalize())
        let name = "\(role)-\(digest.prefix(16)).safetensors"
        let destination = directory.appendingPathComponent(name)
        do { try pending.commit(as: destination) } catch { throw .io(path: destination.path, reason: error.description) }
        return CheckpointFileRecord(name: name, byteCount: pending.byteCount, sha256: digest)
    }

    /// Maps the recorded file, checks its size and SHA-256, then reads its tensors.
    static func readTensorFile(_ record: CheckpointFileRecord, in directory: URL)
        throws(CheckpointFileError) -> [String: Tensor]
    {
        let url = directory.appendingPathComponent(record.name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(path: url.path) }
        let store: ByteStore
        do { store = try ByteStore.map(url) } catch { throw .io(path: url.path, reason: error.reason) }
        guard store.bytes.count == record.byteCount else {
            throw .sizeMismatch(path: url.path, expected: record.byteCount, actual: store.bytes.count)
        }
        let actual = SHA256.hex(SHA256.hash(store.bytes))
        guard actual == record.sha256 else {
            throw .checksumMismatch(path: url.path, expected: record.sha256, actual: actual)
        }
        do {
            return try SafetensorsFile(store: store).tensors()
        } catch {
            throw .invalidTensorFile(path: url.path, underlying: error)
        }
    }

    /// Removes tensor files of earlier checkpoints and temporary files of interrupted saves.
    static func removeStaleFiles(in directory: URL, keeping live: Set<String>) throws(CheckpointFileError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw .cleanupFailed(path: directory.path, reason: InputFile.reason(for: error))
        }
        let isStale = { (name: String) -> Bool in
            guard !live.contains(name) else { return false }
            let isTensorFile = (name.hasPrefix("model-") || name.hasPrefix("optimizer-"))
                && name.hasSuffix(".safetensors")
            let isTemporary = [".model.safetensors.tmp-", ".optimizer.safetensors.tmp-", ".\(sidecarName).tmp-"]
                .contains { name.hasPrefix($0) }
            return isTensorFile || isTemporary
        }
        for name in names where isStale(name) {
            let path = directory.appendingPathComponent(name).path
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw .cleanupFailed(path: path, reason: InputFile.reason(for: error))
            }
        }
    }

    /// The sidecar object, including `sidecar_sha256` over the compact form of everything else.
    func sidecarValue(model: CheckpointFileRecord, optimizer: CheckpointFileRecord) throws(JSONError) -> JSONValue {
        var members: [String: JSONValue] = [
            "format": "mlan-checkpoint",
            "version": .int(Self.formatVersion),
            "step": .int(step),
            "config": config,
            "optimizer": optimizerSettings,
            "rng_state": .array(rngState.map { .string(Self.hex16($0)) }),
            "data_position": ["epoch": .int(dataPosition.epoch), "index": .int(dataPosition.index)],
            "extra": extra,
            "files": ["model": model.json, "optimizer": optimizer.json],
        ]
        members["sidecar_sha256"] = .string(try Self.sidecarDigest(of: members))
        return .object(members)
    }

    /// SHA-256 (hex) of the compact, key-sorted JSON of `members` without `sidecar_sha256`.
    static func sidecarDigest(of members: [String: JSONValue]) throws(JSONError) -> String {
        var covered = members
        covered["sidecar_sha256"] = nil
        var hasher = SHA256()
        hasher.update(try JSONValue.object(covered).jsonBytes())
        return SHA256.hex(hasher.finalize())
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Reads and checks the fields of a checkpoint sidecar, naming the sidecar and field in every error.
struct SidecarReader {
    let path: String
    let members: [String: JSONValue]

    init(url: URL) throws(CheckpointFileError) {
        path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let store: ByteStore
        do { store = try ByteStore.map(url) } catch { throw .io(path: path, reason: error.reason) }
        let value: JSONValue
        do { value = try JSONValue.parse(store.bytes) } catch { throw .invalidSidecar(path: path, reason: error.description) }
        guard case .object(let members) = value else {
            throw .invalidSidecar(path: path, reason: "expected a JSON object, found \(value.kindName)")
        }
        self.members = members
        guard members["format"] == "mlan-checkpoint" else {
            throw .invalidSidecar(path: path, reason: "\"format\" is not \"mlan-checkpoint\"")
        }
        let version = try int("version")
        guard version == Checkpoint.formatVersion else { throw .unsupportedVersion(path: path, version: version) }
        let recorded = try string("sidecar_sha256", in: members, context: "")
        let actual: String
        do { actual = try Checkpoint.sidecarDigest(of: members) } catch {
            throw .invalidSidecar(path: path, reason: error.description)
        }
        guard recorded == actual else {
            throw .invalidSidecar(path: path, reason: "sidecar_sha256 \(recorded) does not match its content "
                                  + "(\(actual)): the sidecar was edited or corrupted")
        }
    }

    func field(_ key: String) throws(CheckpointFileError) -> JSONValue {
        guard let value = members[key] else { throw .invalidSidecar(path: path, reason: "missing field \"\(key)\"") }
        return value
    }

    func int(_ key: String) throws(CheckpointFileError) -> Int {
        let value = try field(key)
        guard let integer = value.intValue else {
            throw .invalidSidecar(path: path, reason: "\"\(key)\" must be an integer, found \(value.kindName)")
        }
        return integer
    }

    private func string(_ key: String, in object: [String: JSONValue], context: String)
        throws(CheckpointFileError) -> String
    {
        guard case .string(let string) = object[key] else {
            throw .invalidSidecar(path: path, reason: "\"\(context)\(key)\" must be a string")
        }
        return string
    }

    func tensorFileRecord(_ role: String) throws(CheckpointFileError) -> CheckpointFileRecord {
        guard case .object(let record) = members["files"]?[role] else {
            throw .invalidSidecar(path: path, reason: "missing object \"files.\(role)\"")
        }
        let name = try string("name", in: record, context: "files.\(role).")
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw .invalidSidecar(path: path, reason: "\"files.\(role).name\" \"\(name)\" is not a plain file name")
        }
        guard case .int(let byteCount) = record["bytes"], byteCount >= 0 else {
            throw .invalidSidecar(path: path, reason: "\"files.\(role).bytes\" must be a non-negative integer")
        }
        let sha256 = try string("sha256", in: record, context: "files.\(role).")
        return CheckpointFileRecord(name: name, byteCount: byteCount, sha256: sha256)
    }

    func rngState() throws(CheckpointFileError) -> [UInt64] {
        guard case .array(let elements) = members["rng_state"] else {
            throw .invalidSidecar(path: path, reason: "\"rng_state\" must be an array")
        }
        var state: [UInt64] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let hex) = element, hex.count == 16, let value = UInt64(hex, radix: 16) else {
                throw .invalidSidecar(path: path, reason: "rng_state[\(index)] must be 16 hex digits")
            }
            state.append(value)
        }
        return state
    }

    func dataPosition() throws(CheckpointFileError) -> DataPosition {
        guard let object = members["data_position"], case .int(let epoch) = object["epoch"],
              case .int(let index) = object["index"]
        else {
            throw .invalidSidecar(path: path, reason: "\"data_position\" must be {\"epoch\": int, \"index\": int}")
        }
        return DataPosition(epoch: epoch, index: index)
    }
}
