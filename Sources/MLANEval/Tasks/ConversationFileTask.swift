import Foundation
import MLANCore
import MLANData

/// A generation task over a LLaVA-format conversation file (the micro world's evaluation files, or any user
/// file): the first user turn is the prompt (with its image), the first assistant turn is the target; greedy
/// generation until a line break or the end of the reply, first line, strip, then exact match ignoring case
/// and punctuation.
public struct ConversationFileTask: EvalTask {
    public let info: TaskInfo
    /// The LLaVA JSON or JSONL file.
    public let file: URL
    /// The folder image paths are relative to (the file's folder when nil).
    public let imageRoot: URL?
    /// The most new tokens per answer.
    public let maxNewTokens: Int

    /// A task named `name` over `file`, reported under `dataset` and `taskCluster` for held-out checks.
    public init(name: String, file: URL, imageRoot: URL? = nil, dataset: String, taskCluster: String,
                modality: Modality, maxNewTokens: Int = 8) {
        self.file = file
        self.imageRoot = imageRoot
        self.maxNewTokens = maxNewTokens
        info = TaskInfo(name: name, dataset: dataset, taskCluster: taskCluster, modality: modality,
                        protocolName: "conversation-file", metrics: [PaperProtocol.exactMatch],
                        filterNames: [Self.pipeline.name], primaryMetric: MetricKey(.exactMatch, filter: Self.pipeline.name),
                        config: ["file": .string(file.path), "max_new_tokens": .int(maxNewTokens)])
    }

    /// First line, strip, take first.
    static let pipeline = FilterPipelineSpec(name: "first-line", steps: [.firstLine, .strip, .takeFirst])

    public func documents() throws -> [InstructionRecord] {
        let root = imageRoot ?? file.deletingLastPathComponent()
        do {
            return try InstructionDataset.load(from: file, options: DatasetReadOptions(imageRoot: root)).records
        } catch {
            throw EvalError.unreadableFile(path: file.path, reason: InputFile.reason(for: error))
        }
    }

    public func instance(for record: InstructionRecord, index: Int) throws -> EvalInstance {
        guard let user = record.turns.first(where: { $0.role == .user }),
              let answer = record.turns.first(where: { $0.role == .assistant }) else {
            throw EvalError.missingField(path: file.path, record: .index(index), field: "conversations")
        }
        let root = imageRoot ?? file.deletingLastPathComponent()
        let prompt = Prompt(turns: [user], images: record.images.map { root.appendingPathComponent($0) })
        let request = GenerationRequest(prompt: prompt, until: ["\n", "</s>"], maxNewTokens: maxNewTokens)
        return EvalInstance(id: record.id, kind: .generation(request, choices: [], targets: [answer.text],
                                                              filters: [try Self.pipeline.makePipeline()]))
    }
}
