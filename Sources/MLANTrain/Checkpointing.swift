import Foundation
import MLANCore
import MLANModel

/// Saving and restoring a training run's state: parameters, AdamW moments, step and accounting.
enum Checkpointing {
    static func directory(step: Int, in run: URL) -> URL {
        run.appendingPathComponent("checkpoints").appendingPathComponent(String(format: "step-%06d", step))
    }

    /// The newest complete checkpoint of a run.
    static func latest(in run: URL?) -> URL? {
        guard let run else { return nil }
        let folder = run.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("step-") }.sorted().reversed()
            .map { folder.appendingPathComponent($0) }.first { Checkpoint.exists(at: $0) }
    }

    /// Writes a checkpoint for `step` and removes the oldest beyond `keep`.
    static func save(step: Int, model: any TrainableModel, optimizer: AdamW, efficiency: EfficiencyReport,
                     config: TrainConfig, fingerprint: RunFingerprint, in run: URL, keep: Int) throws -> URL {
        let target = directory(step: step, in: run)
        let state = optimizer.state
        let moments = Dictionary(uniqueKeysWithValues: state.tensors.map { ($0.key, Tensor($0.value)) })
        let encoder = JSONEncoder()
        let configJSON = try JSONValue.parse(String(decoding: try encoder.encode(config), as: UTF8.self))
        let efficiencyJSON = try JSONValue.parse(String(decoding: try encoder.encode(efficiency), as: UTF8.self))
        let checkpoint = Checkpoint(step: step, config: configJSON,
                                    modelState: Dictionary(model.namedParameters().map { ($0.name, $0.tensor.detached()) },
                                                           uniquingKeysWith: { a, _ in a }),
                                    optimizerState: moments, optimizerSettings: ["step": .int(state.step)],
                                    rngState: [config.seed], dataPosition: DataPosition(epoch: 0, index: step),
                                    extra: ["efficiency": efficiencyJSON, "fingerprint": .string(fingerprint.description)])
        try checkpoint.save(to: target)
        let folder = run.appendingPathComponent("checkpoints")
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix("step-") }.sorted()
        for old in all.dropLast(keep) { try? FileManager.default.removeItem(at: folder.appendingPathComponent(old)) }
        return target
    }

    /// Loads a checkpoint into `model` and `optimizer`; returns its step and accounting. A checkpoint written
    /// before runs carried fingerprints is taken as it is.
    /// - Throws: `TrainError.resumeMismatch` when the checkpoint's run had another fingerprint (other examples or
    ///   settings) or other parameters; the model is left untouched by a fingerprint mismatch.
    static func restore(from url: URL, model: any TrainableModel, optimizer: inout AdamW,
                        fingerprint: RunFingerprint) throws -> (step: Int, efficiency: EfficiencyReport) {
        let checkpoint = try Checkpoint.load(from: url)
        if let stored = checkpoint.extra["fingerprint"]?.stringValue, RunFingerprint(stored) != fingerprint {
            throw TrainError.resumeMismatch(path: url.path, reason: "it was written by a run on other examples or settings "
                + "(fingerprint \(stored), this run's \(fingerprint)); remove the run folder to start over")
        }
        let parameters = model.namedParameters()
        for (name, tensor) in parameters {
            guard let stored = checkpoint.modelState[name] else {
                throw TrainError.resumeMismatch(path: url.path, reason: "parameter '\(name)' is missing")
            }
            guard stored.shape == tensor.shape else {
                throw TrainError.resumeMismatch(path: url.path, reason: "'\(name)' is \(stored.shape), the model has \(tensor.shape)")
            }
            tensor.assignInPlace(stored.scalars)
        }
        let step = checkpoint.optimizerSettings["step"]?.intValue ?? checkpoint.step
        try optimizer.restore(step: step, tensors: checkpoint.optimizerState.mapValues(\.scalars))
        var efficiency = EfficiencyReport()
        if let json = checkpoint.extra["efficiency"], let data = try? json.jsonString().data(using: .utf8) {
            efficiency = (try? JSONDecoder().decode(EfficiencyReport.self, from: data)) ?? efficiency
        }
        return (checkpoint.step, efficiency)
    }
}
