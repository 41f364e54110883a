import Foundation
import MLANCore
import MLANData
import MLANTestSupport
import Testing
@testable import MLANModel

/// Opt-in (`MLAN_PYTHON=/path/to/venv/bin/python`, with torch, transformers, safetensors and pillow; lm-eval
/// optional): transformers' AutoTokenizer, AutoProcessor and models on directories MLAN wrote give MLAN's ids,
/// BOS/EOS, chat renderings, pixels and logits (`Scripts/hub-parity.py` compares; see Docs/FORMATS-CHECKPOINTS.md).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MLAN_PYTHON"] != nil))
struct HubInteropTests {
    static let texts = ["Hello world, 12345!", "  two spaces\nnew line\tand tab", "<|im_start|>user\nHi<|im_end|>",
                        "émoji 🎉 and 中文", "<image>\nWhat is in the picture?"]

    static func tokenizerSpec(_ tokenizer: any Tokenizer, template: any ConversationTemplate,
                              conversations: [[Turn]]) -> [String: JSONValue] {
        let texts = Self.texts.map { text -> JSONValue in
            ["text": .string(text), "ids": .array(tokenizer.encode(text, addSpecialTokens: false).map { .int($0) }),
             "ids_special": .array(tokenizer.encode(text, addSpecialTokens: true).map { .int($0) })]
        }
        var chats: [JSONValue] = []
        for turns in conversations {
            for generation in [true, false] where !(generation && turns.last?.role == .assistant) {
                let messages = turns.map { JSONValue.object(["role": .string($0.role.rawValue), "content": .string($0.text)]) }
                chats.append(["messages": .array(messages), "add_generation_prompt": .bool(generation),
                              "rendered": .string(template.render(turns, addGenerationPrompt: generation))])
            }
        }
        return ["bos": tokenizer.bosTokenID.map { .int($0) } ?? .null, "eos": tokenizer.eosTokenID.map { .int($0) } ?? .null,
                "texts": .array(texts), "chats": .array(chats)]
    }

    @Test func transformersAndLMEvalReadAConvertedSmolLM2() throws {
        let root = TinyComposedLlava.temporaryDirectory("hub-interop-lm")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        var arrays: [String: SafetensorsEntry] = [:]

        // A converted SmolLM2 (what `mlan model convert` writes), loaded back by MLAN.
        let smol = root.appendingPathComponent("smollm2")
        let gguf = try LanguageModelLoader.load(from: SharedPaths.smolLM2())
        try HuggingFaceWriter.save(gguf.model, tokenizer: gguf.tokenizer, chatTemplate: gguf.chatTemplate, to: smol)
        let lm = try LanguageModelLoader.load(from: smol)
        let chatML = ChatMLTemplate()
        var lmSpec = Self.tokenizerSpec(lm.tokenizer, template: chatML, conversations: [
            [Turn(.user, "Hi there")],
            [Turn(.system, "Be brief."), Turn(.user, "2+2?"), Turn(.assistant, "4")],
        ])
        let logitsIDs = lm.tokenizer.encode("The capital of France is", addSpecialTokens: false)
        arrays["lm.logits"] = .float32(withoutGradients { lm.model.logits(ids: [logitsIDs]) }.reshaped([logitsIDs.count, lm.model.config.vocabSize]))
        lmSpec["directory"] = .string(smol.path)
        lmSpec["logits_ids"] = .array(logitsIDs.map { .int($0) })
        try compare(["language_model": .object(lmSpec)], arrays: arrays, in: root)
    }

    @Test func transformersReadsASavedLlava() throws {
        let root = TinyComposedLlava.temporaryDirectory("hub-interop-llava")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        var arrays: [String: SafetensorsEntry] = [:]

        // A LLaVA as `mlan train` saves one (SmolLM2's vocabulary and tokenizer, a CLIP tower, pad to square).
        let llavaDirectory = root.appendingPathComponent("llava")
        let (llava, tokenizer) = try TinyComposedLlava.make(tied: true)
        let vicuna = VicunaTemplate()
        try llava.save(to: llavaDirectory, tokenizer: tokenizer, imageProcessor: CLIPImageProcessor(shortestEdge: 32, padToSquare: true),
                       chatTemplate: JinjaChatTemplate.source(for: vicuna))
        let loaded = try MultimodalLoader.load(model: llavaDirectory)
        var llavaSpec = Self.tokenizerSpec(loaded.tokenizer, template: vicuna, conversations: [
            [Turn(.user, "<image>\nWhat is shown?")],
            [Turn(.system, "Answer briefly."), Turn(.user, "<image>\nColour?"), Turn(.assistant, "Red."), Turn(.user, "Shape?")],
            [Turn(.user, ""), Turn(.assistant, "")],
        ])
        let images = [SharedPaths.fixture("jpeg/photo_420_q75.jpg"), SharedPaths.fixture("images/real.png"),
                      SharedPaths.fixture("jpeg/photo_progressive.jpg")]
        for (k, image) in images.enumerated() {
            let pixels = try loaded.pixels(image)
            arrays["llava.pixel_values.\(k)"] = .float32(Tensor(shape: pixels.shape, scalars: pixels.values))
        }
        let prompt = vicuna.render([Turn(.user, "<image>\nWhat is in the picture?")], addGenerationPrompt: true)
        let (ids, logits) = try loaded.logits(prompt: prompt, images: [images[0]], allPositions: true)
        let rows = loaded.model.config.imageSeqLength
        let image = loaded.model.config.imageTokenIndex
        arrays["llava.logits"] = .float32(logits)
        llavaSpec["directory"] = .string(llavaDirectory.path)
        llavaSpec["prompt"] = .string(prompt)
        llavaSpec["ids"] = .array(ids.flatMap { $0 == image ? Array(repeating: $0, count: rows) : [$0] }.map { .int($0) })
        llavaSpec["images"] = .array(images.map { .string($0.path) })
        try compare(["llava": .object(llavaSpec)], arrays: arrays, in: root)
    }

    /// Writes the expectations beside `arrays` and runs `Scripts/hub-parity.py` on them.
    private func compare(_ parts: [String: JSONValue], arrays: [String: SafetensorsEntry], in root: URL) throws {
        let python = try #require(ProcessInfo.processInfo.environment["MLAN_PYTHON"])
        let arraysURL = root.appendingPathComponent("expected.safetensors")
        try SafetensorsWriter.write(arrays, metadata: [:], to: arraysURL)
        var spec = parts
        spec["arrays"] = .string(arraysURL.path)
        let specURL = root.appendingPathComponent("expectations.json")
        try AtomicFile.write(try JSONValue.object(spec).jsonBytes(pretty: true), to: specURL)
        let script = SharedPaths.repositoryRoot.appendingPathComponent("Scripts/hub-parity.py")
        let run = try ProcessRun.run(URL(fileURLWithPath: python), [script.path, specURL.path])
        print(run.stdout)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr.suffix(4000))")
    }
}
