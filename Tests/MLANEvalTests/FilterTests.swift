import MLANCore
import Testing
@testable import MLANEval

struct FilterTests {
    let none = FilterContext()
    let options = FilterContext(choices: ["Maryland", "New Hampshire", "Rhode Island", "Vermont"])

    @Test func regexReturnsTheOnlyCaptureGroupOfTheFirstMatch() throws {
        let filter = try RegexExtract(pattern: #"answer is \(?([A-D])"#)
        #expect(filter.apply("The answer is (C). Or the answer is D.", context: none) == "C")
    }

    @Test func regexGroupSelectMinusOnePicksTheLastMatch() throws {
        let filter = try RegexExtract(pattern: #"answer is \(?([A-D])"#, groupSelect: -1)
        #expect(filter.apply("The answer is (C). Or the answer is D.", context: none) == "D")
    }

    @Test func regexWithSeveralGroupsTakesTheFirstNonEmptyOne() throws {
        let filter = try RegexExtract(pattern: #"#### (\-?[0-9\.\,]+)|answer is (\w+)"#)
        #expect(filter.apply("so the answer is yes", context: none) == "yes")
    }

    @Test func regexWithoutGroupsReturnsTheStrippedWholeMatch() throws {
        let filter = try RegexExtract(pattern: #"\s[0-9]+ apples"#)
        #expect(filter.apply("I have 12 apples", context: none) == "12 apples")
    }

    @Test func regexWithoutMatchReturnsTheFallback() throws {
        #expect(try RegexExtract(pattern: "[0-9]+").apply("none here", context: none) == "[invalid]")
        #expect(try RegexExtract(pattern: "[0-9]+", fallback: "").apply("none", context: none) == "")
    }

    @Test func regexThatDoesNotCompileOrNamesAMissingGroupThrows() {
        #expect(throws: EvalError.self) { try RegexExtract(pattern: "(unclosed") }
        #expect(throws: EvalError.self) { try RegexExtract(pattern: "(a)", group: 2) }
    }

    @Test(arguments: [
        ("B\". Because the colony is shown in red.", "B"),
        ("New Hampshire\" is the answer", "New Hampshire"),
        ("B. Maryland", "B"),
        ("3.5 cm is the length. It is short.", "3.5 cm is the length"),
        ("yes\nno", "yes"),
        ("no?", "no"),
        ("Mr", "Mr"),
        ("", ""),
    ])
    func firstClauseStopsAtQuoteLineBreakOrSentenceEnd(input: String, expected: String) {
        #expect(FirstClause().apply(input, context: none) == expected)
    }

    @Test func firstLineStripLowercaseAndTakeFirstDoWhatTheySay() {
        #expect(FirstLine().apply("one\r\ntwo", context: none) == "one")
        #expect(Strip().apply(" \n yes \t", context: none) == "yes")
        #expect(Lowercase().apply("ÉCOLE Yes", context: none) == "école yes")
        #expect(TakeFirst().apply(["a", "b"], context: none) == ["a"])
        #expect(TakeFirst().apply([], context: none) == [])
    }

    @Test func removePunctuationDeletesUnicodeQuotesAndPythonSymbolsButKeepsLetters() {
        #expect(RemovePunctuation().apply("“Yes!” — it's $5+ <ok>", context: none) == "Yes  its 5 ok")
        #expect(RemovePunctuation().apply("naïve café", context: none) == "naïve café")
    }

    @Test(arguments: [
        ("New Hampshire", "B"), ("new hampshire.", "B"), ("(C)", "C"), ("C", "C"), ("D.", "D"), ("B: New Hampshire", "B"),
        ("B) Vermont", "B"), (" A ", "A"), ("It is Vermont, I think", "D"), ("Rhode Island, I think", "C"),
        ("Either Maryland or Vermont", "Either Maryland or Vermont"),
        ("E", "E"), ("Kansas", "Kansas"),
    ])
    func mapToOptionLetterFindsTheNamedOption(input: String, expected: String) {
        #expect(MapToOptionLetter().apply(input, context: options) == expected)
    }

    @Test func mapToOptionLetterReadsACapitalAFollowedByTextAsText() {
        let context = FilterContext(choices: ["a dog", "A cat"])
        #expect(MapToOptionLetter().apply("A cat", context: context) == "B")
        #expect(MapToOptionLetter().apply("A", context: context) == "A")
        #expect(MapToOptionLetter().apply("A bird", context: context) == "A bird")
    }

    @Test func mapToOptionLetterWithoutChoicesLeavesTheAnswer() {
        #expect(MapToOptionLetter().apply("Vermont", context: none) == "Vermont")
    }

    @Test(arguments: [
        ("Yes", "yes"), ("yes, there is a dog", "yes"), ("No.", "no"), ("There isn't one", "no"),
        ("Not really", "no"), ("It is true", "yes"), ("False", "no"), ("yes and no", "yes"),
        ("I think there is no dog but yes a cat", "I think there is no dog but yes a cat"), ("", ""),
        ("maybe", "maybe"), ("Wrong answer", "no"),
    ])
    func yesNoNormalizerMapsAnswersToYesOrNo(input: String, expected: String) {
        #expect(YesNoNormalizer().apply(input, context: none) == expected)
    }

    @Test func paperPipelinesExtractLettersAndYesNoFromRealisticGenerations() throws {
        let choice = try PaperProtocol.choicePipeline.makePipeline()
        #expect(choice.apply(["B\". The colony is New Hampshire."], context: options) == "B")
        #expect(choice.apply([" Rhode Island\""], context: options) == "C")
        #expect(choice.apply(["(D) Vermont"], context: options) == "D")
        let yesNo = try PaperProtocol.yesNoPipeline.makePipeline()
        #expect(yesNo.apply(["Yes\", there is a snowboard."]) == "yes")
        #expect(yesNo.apply(["no\""]) == "no")
    }

    @Test func filterSpecsRoundTripThroughJSON() throws {
        let specs: [FilterStepSpec] = [.regex(pattern: "x(y)", groupSelect: -1, group: 1, fallback: "?"), .firstClause,
                                       .firstLine, .strip, .lowercase, .removePunctuation, .mapLetter, .yesNo, .takeFirst]
        for spec in specs {
            #expect(try FilterStepSpec(json: spec.json, source: "test", field: "f") == spec)
        }
    }

    @Test func unknownFilterFunctionIsRejectedWithItsField() {
        #expect(throws: EvalError.invalidTaskDefinition(
            source: "t.json", field: "filter_list.0.filter.1.function",
            reason: "unknown filter \"shout\" (first_clause, first_line, lowercase, map_letter, regex, "
                + "remove_punctuation, strip, take_first, yes_no)")) {
            try FilterStepSpec(json: ["function": "shout"], source: "t.json", field: "filter_list.0.filter.1")
        }
    }
}
