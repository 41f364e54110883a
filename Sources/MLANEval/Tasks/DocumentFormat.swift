import Foundation

/// How a documents file holds its records: the names a task file's `documents.format` may use. `jsonl` and
/// `json` fit most datasets; the others name a reader for a release whose layout needs code (each reader's
/// fields are listed with its case, for prompt templates to use).
public enum DocumentFormat: String, Sendable, CaseIterable {
    /// One JSON object per line.
    case jsonl
    /// One JSON array of objects.
    case json
    /// HellaSwag's `hellaswag_val_full.txt`, six lines per item: `query` (the context line), `label` (the gold
    /// index) and `choices` (the four endings).
    case hellaswag
    /// A RACE split folder (`race/test/high`), one document per article scoring its last question as
    /// lm-eval does: `id`, `context` (``RaceArticle/lmEvalPrompt``), `options`, `answer` (an index).
    case raceArticles = "race_articles"
    /// A RACE split folder, one document per question: `id` (`high1.txt-0`), `article`, `question`,
    /// `options`, `answer` (a letter).
    case raceQuestions = "race_questions"
    /// WinoGrande's `test_instruction_format.json`, checked record by record against the `winogrande.jsonl`
    /// beside it: `sentence` (with its `_` blank), `options` (two), `answer` (0 or 1).
    case winograndeSentences = "winogrande_sentences"
    /// LLaVA's ScienceQA test file (`llava_test_CQM-A.json`), the questions with an image: `id`, `image`,
    /// `hint`, `context_line` (`"Context: {hint}\n"` or empty), `question`, `choices`, `answer` (an index).
    case scienceQA = "scienceqa_llava"
    /// NLVR's `test.json` (JSON Lines), each statement with the image of permutation 0: `id`, `sentence`,
    /// `answer` (`yes` for a true statement), `image` (`images/{directory}/test-{identifier}-0.png`).
    case nlvr
    /// As ``nlvr``, with each of the six box permutations its own document (`id` gets `-{k}`).
    case nlvrAllPermutations = "nlvr_all_permutations"

}
