import Foundation
import MLANData
import MLANExperiment
import MLANTestSupport
import Testing

/// The library entry points behind `mlan`'s commands, on real files.
@Suite struct CommandJobTests {
    @Test func promptIDsParseAndMalformedIDsNameTheFlag() throws {
        #expect(try PromptInput.parseIDs("1, 2,3") == [1, 2, 3])
        for bad in ["", "1,x", ",", "1,,2"] {
            #expect(throws: ExperimentError.self) { try PromptInput.parseIDs(bad) }
        }
        #expect(throws: ExperimentError.self) { _ = try PromptInput.parseIDs("7;8", field: "--ids") }
    }

    @Test func aChatPromptIsRenderedWithItsTemplateAndAnImageGoesFirst() throws {
        let chat = try PromptInput.text("Hi", chat: true).renderedText()
        #expect(chat?.hasPrefix("<|im_start|>system\n") == true)
        #expect(chat?.hasSuffix("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n") == true)
        #expect(try PromptInput.text("What is it?", chat: false).renderedText(imageFirst: true) == "<image>\nWhat is it?")
        #expect(try PromptInput.ids([1, 2]).renderedText() == nil)
    }

    @Test func tokenizerJobEncodesAndDecodesLinesWithTheGGUFTokenizer() throws {
        let job = try TokenizerJob(file: try SharedPaths.smolLM2())
        var encoded: [String] = []
        job.encode(lines: ["hello world", ""], addSpecialTokens: false) { encoded.append($0) }
        #expect(encoded == ["[28120, 905]", "[]"])
        var decoded: [String] = []
        try job.decode(lines: encoded, skipSpecialTokens: false) { decoded.append($0) }
        #expect(decoded == ["hello world", ""])
    }

    @Test func tokenizerJobRejectsALineThatIsNotIdsNamingTheLine() throws {
        let job = try TokenizerJob(file: try SharedPaths.smolLM2())
        #expect {
            try job.decode(lines: ["[1]", "[1, x]"], source: "ids.txt", skipSpecialTokens: false) { _ in }
        } throws: { "\($0)".contains("ids.txt") && "\($0)".contains("line 2") }
        #expect {
            try job.decode(lines: ["[99999999]"], skipSpecialTokens: false) { _ in }
        } throws: { "\($0)".contains("outside") }
    }

    @Test func datasetJobValidatesAndInspectsTheRealAlpacaAndLLaVAFiles() throws {
        let alpaca = try DatasetJob(file: SharedPaths.dataFile("alpaca/alpaca_small.json"))
        #expect(alpaca.isValid)
        #expect(alpaca.validationReport(maxErrors: 5).hasSuffix("2000 records, 2000 valid, 0 invalid"))
        let llava = try DatasetJob(file: SharedPaths.dataFile("llava_instruct/llava_instruct_100.json"))
        let inspection = try llava.inspection(tokenizer: nil)
        #expect(inspection.contains("records: 100"))
        #expect(inspection.contains("with images:   100 (100%)"))
    }

    @Test func sharedDataDirectoryTakesTheFirstExistingCandidateAndNamesAllWhenNoneExists() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/mlan/data")
        #expect(try SharedDataDirectory.locate(candidates: [missing, SharedPaths.data]) == SharedPaths.data)
        #expect { try SharedDataDirectory.locate(candidates: [missing]) } throws: { "\($0)".contains(missing.path) }
        let fromEnvironment = SharedDataDirectory.candidates(environment: ["MLAN_SHARED": "/x"],
                                                             currentDirectory: URL(fileURLWithPath: "/a/b"))
        #expect(fromEnvironment.prefix(2).map(\.path) == ["/x/data", "/a/shared/data"])
    }
}
