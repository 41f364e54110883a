import Foundation
import MLANData
import Testing

@Suite("BPETokenizer parity with Hugging Face tokenizers")
struct TokenizerParityTests {
    @Test func everyStressLineEncodesToTheReferenceIDs() throws {
        let tokenizer = try TokenizerFixtures.smolLM2()
        let lines = try TokenizerFixtures.stressLines()
        #expect(lines.count == 423)
        var mismatches: [String] = []
        for (number, line) in lines {
            let ids = tokenizer.encode(line.text, addSpecialTokens: false)
            if ids != line.ids {
                mismatches.append("line \(number) \(line.text.debugDescription): got \(ids), want \(line.ids)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) lines differ:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    }

    @Test func everyStressLineDecodesBackToItsExactBytes() throws {
        let tokenizer = try TokenizerFixtures.smolLM2()
        for (number, line) in try TokenizerFixtures.stressLines() {
            let decoded = tokenizer.decode(line.ids, skipSpecialTokens: false)
            #expect(Array(decoded.utf8) == Array(line.text.utf8), "line \(number)")
        }
    }

    @Test func referencePromptsIncludingChatTemplatesEncodeToTransformersIDs() throws {
        let tokenizer = try TokenizerFixtures.smolLM2()
        let prompts = try TokenizerFixtures.referencePrompts()
        #expect(prompts.contains { $0.kind == "chat_template" })
        for prompt in prompts {
            #expect(tokenizer.encode(prompt.text, addSpecialTokens: false) == prompt.ids, "\(prompt.name)")
            #expect(tokenizer.encode(prompt.text, addSpecialTokens: true) == prompt.ids,
                    "\(prompt.name): SmolLM2's post-processor adds nothing")
        }
    }

    @Test func addedTokensAreSplitOutBeforeByteLevelBPE() throws {
        let tokenizer = try TokenizerFixtures.smolLM2()
        // Reference ids from tokenizers 0.23: "hello" 28120, "<|im_start|>" 1, "world" 6693.
        #expect(tokenizer.encode("hello<|im_start|>world", addSpecialTokens: false) == [28120, 1, 6693])
        #expect(tokenizer.tokenID("<|im_end|>") == 2)
        #expect(tokenizer.token(2) == "<|im_end|>")
        #expect(tokenizer.tokenID("Ġthe") != nil)
        #expect(tokenizer.token(tokenizer.vocabularySize) == nil)
        #expect(tokenizer.vocabularySize == 49152)
    }

    @Test func decodeLeavesOutSpecialTokensOnlyWhenAsked() throws {
        let tokenizer = try TokenizerFixtures.smolLM2()
        let ids = tokenizer.encode("<|im_start|>user\nHi there<|im_end|>", addSpecialTokens: false)
        #expect(ids.first == 1 && ids.last == 2)
        #expect(tokenizer.decode(ids, skipSpecialTokens: false) == "<|im_start|>user\nHi there<|im_end|>")
        #expect(tokenizer.decode(ids, skipSpecialTokens: true) == "user\nHi there")
    }

    @Test func decodeMarksIDsOutsideTheVocabularyWithTheReplacementCharacter() throws {
        let tokenizer = try TokenizerFixtures.smolLM2()
        let hello = tokenizer.encode("Hello", addSpecialTokens: false)
        #expect(tokenizer.decode(hello + [-1, 1_000_000], skipSpecialTokens: false) == "Hello\u{FFFD}\u{FFFD}")
    }

    @Test func splitMultiByteCharactersDecodeOnlyWhenWhole() throws {
        let tokenizer = try TokenizerFixtures.smolLM2()
        let ids = tokenizer.encode("🙂", addSpecialTokens: false)
        #expect(ids.count > 1, "the emoji is several byte tokens")
        #expect(tokenizer.decode(ids, skipSpecialTokens: false) == "🙂")
        #expect(tokenizer.decode(Array(ids.dropLast()), skipSpecialTokens: false).hasSuffix("\u{FFFD}"))
    }

    @Test func documentationExamplesRunAsWritten() throws {
        // Tokenizer's example.
        let tokenizer: any Tokenizer = try BPETokenizer.load(from: TokenizerFixtures.tokenizerURL)
        let ids = tokenizer.encode("<|im_start|>user\nHi", addSpecialTokens: false)
        #expect(ids.first == 1)
        #expect(tokenizer.decode(ids, skipSpecialTokens: true) == "user\nHi")
        // BPETokenizer's example.
        let smol = try TokenizerFixtures.smolLM2()
        #expect(smol.encode("Hello world", addSpecialTokens: false) == [19556, 905])
        #expect(smol.decode([19556, 905], skipSpecialTokens: false) == "Hello world")
    }

    @Test func wordsLongerThan64BytesMergeAsTokenizersDoes() throws {
        // Golden from tokenizers 0.23: a 140-byte word and a 72-byte CJK word (the heap merge path).
        let tokenizer = try TokenizerFixtures.smolLM2()
        let text = String(repeating: "antidisestablishmentarianism", count: 5) + " "
            + String(repeating: "日本語のテキスト", count: 3)
        let word = [403, 17889, 30834, 358, 35050]
        let cjk = [23274, 115, 40993, 179, 120, 248, 26453, 11100, 224, 10391, 251, 10391, 134, 11100, 226]
        let expected = Array([[Int]](repeating: word, count: 5).joined())
            + [17097, 241, 115, 40993, 179, 120, 248, 26453, 11100, 224, 10391, 251, 10391, 134, 11100, 226]
            + cjk + cjk
        #expect(tokenizer.encode(text, addSpecialTokens: false) == expected)
    }

    /// Growth, not speed: the CPU time this thread spends encoding a word of 200 000 letters against one of 25 000.
    /// Heap merging grows as n log n (about 9x for 8x the length); a pairwise rescan grows as n² (64x). Thread CPU time
    /// is what the encoder itself used, so tests running beside this one do not inflate the ratio.
    @Test func aVeryLongWordEncodesInSubquadraticTime() throws {
        let tokenizer = try TokenizerFixtures.smolLM2().addingSpecialTokens([])  // an empty word cache
        _ = tokenizer.encode(Self.pseudoRandomWord(letters: 2_000, seed: 1), addSpecialTokens: false)  // warm up
        var shortSeconds = Double.infinity, longSeconds = Double.infinity  // the fastest of three distinct words each
        for seed in UInt64(40)..<43 {
            let short = Self.pseudoRandomWord(letters: 25_000, seed: seed + 100)
            let long = Self.pseudoRandomWord(letters: 200_000, seed: seed)
            let (shortIDs, shortTime) = Self.threadCPUTime { tokenizer.encode(short, addSpecialTokens: false) }
            let (longIDs, longTime) = Self.threadCPUTime { tokenizer.encode(long, addSpecialTokens: false) }
            #expect(longIDs.count > 50_000 && longIDs.count < 200_000)
            #expect(tokenizer.decode(shortIDs, skipSpecialTokens: false) == short)
            #expect(tokenizer.decode(longIDs, skipSpecialTokens: false) == long)
            shortSeconds = min(shortSeconds, shortTime)
            longSeconds = min(longSeconds, longTime)
        }
        let ratio = longSeconds / max(shortSeconds, 1e-4)
        #expect(ratio < 24, "8x the letters took \(ratio)x the CPU time (\(shortSeconds) s, then \(longSeconds) s)")
    }

    /// Letters from a fixed linear congruential sequence: one long word with no pre-tokenizer split.
    private static func pseudoRandomWord(letters count: Int, seed: UInt64) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var state = seed
        return String((0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return letters[Int(state >> 33) % letters.count]
        })
    }

    /// The value of `body` and the CPU seconds the calling thread spent computing it.
    private static func threadCPUTime<T>(_ body: () -> T) -> (T, Double) {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
        }
        let start = now()
        let value = body()
        return (value, now() - start)
    }

    @Test func concurrentEncodingSharesTheWordCacheSafely() async throws {
        let tokenizer = try TokenizerFixtures.smolLM2().addingSpecialTokens([])  // a fresh, empty cache
        let lines = try TokenizerFixtures.stressLines().map(\.value)
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    let order = task % 2 == 0 ? lines : lines.reversed()
                    return order.filter { tokenizer.encode($0.text, addSpecialTokens: false) != $0.ids }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
