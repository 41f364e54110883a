import Testing
@testable import mlan_cli
import MLANModel

/// `--weights` on the commands that load a language model.
@Suite struct WeightsFlagTests {
    @Test func defaultsToNativeAndParsesEachForm() throws {
        #expect(try GenerateCommand.parse(["--model", "m.gguf", "--prompt", "x"]).weightOptions.weights == .native)
        for form in WeightForm.allCases {
            let generate = try GenerateCommand.parse(["--model", "m.gguf", "--prompt", "x", "--weights", form.rawValue])
            #expect(generate.weightOptions.weights == form)
            let eval = try EvalCommand.parse(["--model", "m.gguf", "--tasks", "arc_easy", "--weights", form.rawValue])
            #expect(eval.weightOptions.weights == form)
            let logits = try ModelCommand.Logits.parse(["--model", "m.gguf", "--prompt", "x", "--output", "o.safetensors",
                                                        "--weights", form.rawValue])
            #expect(logits.weightOptions.weights == form)
        }
        #expect(throws: (any Error).self) { try GenerateCommand.parse(["--model", "m.gguf", "--prompt", "x", "--weights", "q3"]) }
    }
}
