import Foundation

/// One logged optimizer step.
public struct StepRecord: Codable, Sendable, Equatable {
    /// Optimizer steps taken (1-based).
    public var step: Int
    /// The step's epoch (0-based).
    public var epoch: Int
    /// The global batch's mean loss over its supervised targets.
    public var loss: Float
    /// The learning rate applied.
    public var learningRate: Double
    /// The global gradient norm before clipping.
    public var gradNorm: Float
    /// Model positions per second of the step.
    public var tokensPerSecond: Double
    /// Wall time of the run so far (across resumes).
    public var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case step, epoch, loss, learningRate = "lr", gradNorm = "grad_norm", tokensPerSecond = "tokens_per_s"
        case elapsedSeconds = "elapsed_s"
    }
}

/// Writes step records to a JSONL file and progress to standard error (a rewritten line on a terminal,
/// plain lines otherwise).
public final class TrainLog {
    private let file: FileHandle?
    private let url: URL?
    private let isTerminal: Bool
    private let label: String
    /// Every step recorded by this log.
    public private(set) var records: [StepRecord] = []
    /// Set false to keep the terminal quiet (records are still kept and written).
    public var printsProgress = true

    /// Appends to `url` (created if missing); `label` prefixes progress lines.
    public init(url: URL?, label: String) throws {
        self.label = label
        self.url = url
        isTerminal = isatty(STDERR_FILENO) != 0
        if let url {
            if !FileManager.default.fileExists(atPath: url.path) {
                FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            guard let handle = FileHandle(forWritingAtPath: url.path) else {
                throw TrainError.invalidConfig(field: "log", reason: "cannot write \(url.path)")
            }
            handle.seekToEndOfFile()
            file = handle
        } else {
            file = nil
        }
    }

    deinit { try? file?.close() }

    /// Keeps the log's records through `step` (a run resumed there; 0 for a run that starts over) as `records`
    /// and removes what follows them (written after that checkpoint by an interrupted call, by an earlier run, or
    /// cut short mid-line), so the log holds each step of this run once.
    /// - Throws: `TrainError.invalidConfig` naming the log when it cannot be read or cut.
    func keepRecords(through step: Int) throws {
        guard let file, let url else { return }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainError.invalidConfig(field: "log", reason: "cannot read \(url.path): \(error.localizedDescription)")
        }
        var kept: [StepRecord] = []
        var end = 0
        while let newline = data[end...].firstIndex(of: UInt8(ascii: "\n")),
              let record = try? JSONDecoder().decode(StepRecord.self, from: data[end..<newline]), record.step <= step {
            kept.append(record)
            end = newline + 1
        }
        do {
            try file.truncate(atOffset: UInt64(end))
            try file.seekToEnd()
        } catch {
            throw TrainError.invalidConfig(field: "log", reason: "cannot cut \(url.path) at step \(step): \(error.localizedDescription)")
        }
        records = kept
    }

    /// Records a step and shows progress with rate and ETA.
    public func record(_ r: StepRecord, totalSteps: Int) {
        records.append(r)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        if let data = try? encoder.encode(r) { file?.write(data + Data("\n".utf8)) }
        guard printsProgress else { return }
        let perStep = r.elapsedSeconds / Double(max(r.step, 1))
        let eta = perStep * Double(totalSteps - r.step)
        let line = String(format: "%@ step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f tok/s  ETA %@",
                          label, r.step, totalSteps, r.loss, r.learningRate, r.gradNorm, r.tokensPerSecond, Self.clock(eta))
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            if r.step == totalSteps { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// A message on its own line.
    public func note(_ message: String) {
        guard printsProgress else { return }
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + message + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
