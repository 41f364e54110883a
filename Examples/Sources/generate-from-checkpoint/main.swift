// Loads a Llama-family model (a Hugging Face directory such as train-custom-mixture's output, or a GGUF file),
// asks one question in the QA template, and continues greedily to the end of the line.
//
//   generate-from-checkpoint --model PATH --question TEXT [--expect TEXT]
//
// Prints the answer; with --expect, exits 1 unless the answer is exactly that text.
import ExampleSupport
import Foundation
import MLANData
import MLANModel

let arguments = Arguments(usage: "generate-from-checkpoint --model PATH --question TEXT [--expect TEXT]")
let path = arguments.string("model", "runs/example-mixture")
let question = arguments.string("question", "What colour is the sky?")

do {
    let loaded = try LanguageModelLoader.load(from: URL(fileURLWithPath: path))
    let segments = QATemplate().segments(for: [Turn(.user, question)], addGenerationPrompt: true)
    let prompt = loaded.tokenizer.encode(segments, imagePlaceholder: -1, addBOS: false).ids
    let result = try Generator(model: loaded.model, tokenizer: loaded.tokenizer)
        .generate(promptIDs: prompt, maxNewTokens: 12, stopStrings: ["\n"])
    let answer = result.text.trimmingCharacters(in: .whitespaces)
    print("Q: \(question)\nA: \(answer)   (\(result.ids.count) tokens, stopped by \(result.stopReason.rawValue))")
    if let expected = arguments.optional("expect"), answer != expected {
        fail("expected \"\(expected)\", got \"\(answer)\"")
    }
} catch {
    fail("\(error)")
}
