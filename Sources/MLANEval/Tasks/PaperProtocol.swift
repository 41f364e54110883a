/// The MLAN paper's generation protocol, which every built-in `mlan` task file follows: a user turn, an
/// assistant prefill that opens a quote, greedy generation stopped at the closing quote, an extraction
/// pipeline, and exact match ignoring case and punctuation. The built-in task files spell these values out
/// (a test holds them to these constants); code that declares its own paper-style tasks can use them.
public enum PaperProtocol {
    /// The prefill of multiple-choice prompts.
    public static let choicePrefill = "The answer is \""
    /// The prefill of yes/no prompts (the prompt ends with ` The best answer is "` after `ASSISTANT:`).
    public static let yesNoPrefill = "The best answer is \""
    /// The yes/no instruction line.
    public static let yesNoInstruction = "Please answer with \"yes\" or \"no\""
    /// What follows a multiple-choice question, before the option block.
    public static let chooseInstruction = " Choose the best option from below:\n"
    /// Multiple-choice extraction: first clause, strip, map option text to its letter, take first.
    public static let choicePipeline = FilterPipelineSpec(name: "mlan-choice",
                                                          steps: [.firstClause, .strip, .mapLetter, .takeFirst])
    /// Yes/no extraction: first clause, strip, yes/no normalisation, take first.
    public static let yesNoPipeline = FilterPipelineSpec(name: "mlan-yesno",
                                                         steps: [.firstClause, .strip, .yesNo, .takeFirst])
    /// Free-word extraction (LAMBADA): first clause, strip, take first.
    public static let wordPipeline = FilterPipelineSpec(name: "mlan-word", steps: [.firstClause, .strip, .takeFirst])
    /// Exact match ignoring case and punctuation.
    public static let exactMatch = MetricSpec(.exactMatch, ignoreCase: true, ignorePunctuation: true)
    /// Stop strings: the closing quote or a line break.
    public static let until = ["\"", "\n"]
    /// The POPE metrics reported next to accuracy.
    public static let popeMetrics = [MetricSpec(.precision), MetricSpec(.recall), MetricSpec(.f1),
                                     MetricSpec(.yesRatio)]
}
