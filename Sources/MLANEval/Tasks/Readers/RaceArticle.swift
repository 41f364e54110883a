import Foundation
import MLANCore

/// One RACE article with its questions, as the original release stores it (one JSON file per article).
struct RaceArticle: Sendable, Equatable {
    /// One question of an article.
    struct Question: Sendable, Equatable {
        /// The question (a cloze ends with `  _  .`).
        var question: String
        /// The four options.
        var options: [String]
        /// The gold option's index (0-3).
        var answer: Int
    }

    /// The file's `id` (`high1234.txt`).
    var id: String
    /// The passage.
    var article: String
    /// Its questions, in file order.
    var questions: [Question]
    /// The file it was read from.
    var file: String

    /// Reads every article of a RACE split folder (`race/test/high`), ordered by the number in the file
    /// name (`1.txt`, `2.txt`, …, `10.txt`).
    /// - Throws: `EvalError` naming the file and field of the first malformed article.
    static func readAll(in directory: URL) throws -> [RaceArticle] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }
        } catch {
            throw EvalError.unreadableFile(path: directory.path, reason: InputFile.reason(for: error))
        }
        let ordered = names.sorted { lhs, rhs in
            let left = Int(lhs.dropLast(4)), right = Int(rhs.dropLast(4))
            if let left, let right, left != right { return left < right }
            return lhs < rhs
        }
        return try ordered.map { try read(directory.appendingPathComponent($0)) }
    }

    /// Reads one article file.
    /// - Throws: `EvalError` naming the file and the field at fault.
    static func read(_ url: URL) throws -> RaceArticle {
        let bytes = try DocumentReader.contents(of: url)
        let document = TaskDocument(fields: try DocumentReader.parse(bytes[...], path: url.path, record: .file),
                                    source: url.path, record: .file)
        let questions = try document.strings(at: "questions")
        let answers = try document.strings(at: "answers")
        guard let options = document.fields["options"]?.arrayValue else {
            throw EvalError.missingField(path: url.path, record: .file, field: "options")
        }
        guard questions.count == answers.count, questions.count == options.count, !questions.isEmpty else {
            throw EvalError.invalidField(path: url.path, record: .file, field: "questions",
                                         reason: "\(questions.count) questions, \(options.count) option lists and "
                                             + "\(answers.count) answers do not pair up")
        }
        return RaceArticle(id: try document.string(at: "id"), article: try document.string(at: "article"),
                           questions: try questions.indices.map { index in
            let choices = try document.strings(at: "options.\(index)")
            guard choices.count == 4 else {
                throw EvalError.invalidField(path: url.path, record: .index(index), field: "options",
                                             reason: "expected 4 options, found \(choices.count)")
            }
            guard let answer = ["A", "B", "C", "D"].firstIndex(of: answers[index]) else {
                throw EvalError.invalidField(path: url.path, record: .index(index), field: "answers",
                                             reason: "expected A-D, found \"\(answers[index])\"")
            }
            return Question(question: questions[index], options: choices, answer: answer)
        }, file: url.path)
    }

    /// lm-eval's `doc_to_text` (`race/preprocess_race.py`): the article, every question but the last with
    /// its answer (a cloze question ending in `  _  .` contributes its last five characters and the answer),
    /// then the last question.
    var lmEvalPrompt: String {
        var text = "Article: " + article + "\n\n"
        for problem in questions.dropLast() {
            let answer = problem.options[problem.answer]
            if problem.question.hasSuffix("  _  .") {
                text += String(problem.question.unicodeScalars.suffix(5)) + answer + "\n"
            } else {
                text += "Question: " + problem.question + "\n" + "Answer: " + answer + "\n"
            }
        }
        return text + questions[questions.count - 1].question
    }
}

extension RaceArticle {
    /// One document per article, for lm-eval's protocol, which scores the last question with the earlier ones
    /// answered in its context (`race.yaml` + `preprocess_race.py`): `id`, `context` (``lmEvalPrompt``),
    /// `options` and `answer` (an index) of the last question.
    /// - Throws: as ``readAll(in:)``.
    static func articleDocuments(in directory: URL) throws -> [TaskDocument] {
        try readAll(in: directory).map { article in
            let last = article.questions[article.questions.count - 1]
            return TaskDocument(fields: ["id": .string(article.id), "context": .string(article.lmEvalPrompt),
                                         "options": .array(last.options.map(JSONValue.string)),
                                         "answer": .int(last.answer)],
                                source: article.file, record: .file)
        }
    }

    /// One document per question (the `mlan` protocol scores every question): `id`, `article`, `question`,
    /// `options`, `answer` (a letter).
    /// - Throws: as ``readAll(in:)``.
    static func questionDocuments(in directory: URL) throws -> [TaskDocument] {
        try readAll(in: directory).flatMap { article in
            article.questions.enumerated().map { offset, question in
                TaskDocument(fields: ["id": .string("\(article.id)-\(offset)"), "article": .string(article.article),
                                      "question": .string(question.question),
                                      "options": .array(question.options.map(JSONValue.string)),
                                      "answer": .string(MapToOptionLetter.letter(question.answer))],
                             source: article.file, record: .index(offset))
            }
        }
    }
}
