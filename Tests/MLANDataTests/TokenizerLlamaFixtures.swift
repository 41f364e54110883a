import Foundation
import MLANData
import MLANTestSupport

/// Llama 2's tokenizer in its SentencePiece and Hugging Face forms, and the reference lines, from
/// `../shared/fixtures/llama2-tokenizer`, loaded once per test process.
enum LlamaTokenizerFixtures {
    struct StressLine: Decodable { let text: String; let ids: [Int]; let pieces: [String]; let decoded: String }
    struct Conversation: Decodable {
        struct Message: Decodable { let role: String; let content: String? }
        let messages: [Message]
        let prompt: String
        let ids: [Int]
        let idsImageToken: [Int]
        enum CodingKeys: String, CodingKey { case messages, prompt, ids, idsImageToken = "ids_image_token" }
    }

    static let folder = SharedPaths.fixture("llama2-tokenizer")
    private static let fromModel = Result { try LlamaTokenizer.load(from: folder.appendingPathComponent("tokenizer.model")) }
    private static let fromJSON = Result { try LlamaTokenizer.load(from: folder.appendingPathComponent("tokenizer.json")) }

    /// The tokenizer read from `tokenizer.model`.
    static func model() throws -> LlamaTokenizer { try fromModel.get() }
    /// The tokenizer read from `tokenizer.json`.
    static func json() throws -> LlamaTokenizer { try fromJSON.get() }

    /// The 512 lines of `stress.jsonl` with their 1-based line numbers.
    static func stressLines() throws -> [(line: Int, value: StressLine)] {
        try jsonLines("stress.jsonl", as: StressLine.self)
    }

    /// The 10 conversations of `v1_conversations.jsonl`.
    static func conversations() throws -> [Conversation] {
        try jsonLines("v1_conversations.jsonl", as: Conversation.self).map(\.value)
    }

    private static func jsonLines<T: Decodable>(_ name: String, as type: T.Type) throws -> [(line: Int, value: T)] {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return try text.split(separator: "\n").enumerated().map { index, line in
            (index + 1, try JSONDecoder().decode(T.self, from: Data(line.utf8)))
        }
    }
}
