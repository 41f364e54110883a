import Foundation
import MLANData
import MLANEval
import MLANTestSupport
import Testing
@testable import MLANExperiment

/// The evaluator that produces the demo's table: MLANEval's `mlan` protocol through the world's task files,
/// the manifest's verdict for zero-shot, and baselines from the documents.
struct HarnessEvaluatorTests {
    static let evaluator = HarnessEvaluator(dataDirectory: SharedPaths.data, progress: .silent)
    static let heldOut = MicroTaskCluster.heldOut.flatMap { c in MicroModality.allCases.map { TinyWorld.task(c, $0) } }

    /// A scorer that replies what `reply` says for each user turn.
    static func scorer(_ reply: @escaping @Sendable (String) -> String) -> FakeScorer {
        FakeScorer(generate: { request in
            guard case .conversation(let turns) = request.prompt.content, let user = turns.last?.text else { return "" }
            return reply(user)
        })
    }

    /// A scorer that knows every answer of the tiny world.
    static let oracle = FakeScorer(generate: { request in
        guard case .conversation(let turns) = request.prompt.content, let user = turns.last?.text else { return "" }
        return TinyWorld.oracleReplies[TinyWorld.key(user, image: request.prompt.images.first?.path)] ?? "?"
    })

    /// Writes a mixture-style manifest whose sources are `clusters` (dataset `microworld_{cluster}_language`).
    static func manifest(trainedOn clusters: [String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-manifest-\(UUID().uuidString).json")
        let sources = clusters.map { "{\"dataset\": \"microworld_\($0)_language\", \"taskCluster\": \"\($0)\", \"chosen\": 5}" }
        try Data("{\"sources\": [\(sources.joined(separator: ", "))]}".utf8).write(to: url)
        return url
    }

    @Test func aPerfectModelScoresOneOnEveryHeldOutTaskThroughThePapersFilters() throws {
        _ = try TinyWorld.written.get()
        let scores = try Self.evaluator.evaluate(scorer: Self.oracle, tasks: Self.heldOut, limit: 10, seed: 3, trainingManifest: nil)
        #expect(scores.map(\.name) == Self.heldOut.map(\.name))
        for score in scores {
            #expect(score.accuracy == 1, "\(score.name)")
            #expect(score.documents == 10 && score.zeroShot && score.block == .heldOut)
        }
    }

    @Test func answersInTheFormatsThePaperFiltersAcceptAreMappedBeforeExactMatch() throws {
        _ = try TinyWorld.written.get()
        // Option text instead of its letter, "true" for a yes-statement, "Yes, ..." for existence.
        let examples = MicroTaskCluster.heldOut.flatMap {
            TinyWorld.world.examples($0, modality: .language, split: .eval, count: TinyWorld.counts.evalPerCluster)
        }
        let replies = Dictionary(examples.map { example -> (String, String) in
            switch example.query {
            case .choice(let inner, _): return (example.prompt, (inner.answer(in: example.scene) ?? "") + "\", because it is.")
            case .statement: return (example.prompt, example.answer == "true" ? "True, it holds." : "no")
            default: return (example.prompt, example.answer == "yes" ? "Yes, there is." : "No.")
            }
        }, uniquingKeysWith: { a, _ in a })
        let tasks = MicroTaskCluster.heldOut.map { TinyWorld.task($0, .language) }
        let scores = try Self.evaluator.evaluate(scorer: Self.scorer { replies[$0] ?? "?" }, tasks: tasks, limit: 12, seed: 1,
                                                 trainingManifest: nil)
        #expect(scores.map(\.accuracy) == [1, 1, 1])
    }

    @Test func baselinesComeFromTheEvaluatedDocuments() throws {
        _ = try TinyWorld.written.get()
        let alwaysYes = Self.scorer { _ in "yes\"" }
        let tasks = [TinyWorld.task(.existence, .vision), TinyWorld.task(.multipleChoice, .vision),
                     TinyWorld.task(.counting, .language, block: .transfer)]
        let scores = try Self.evaluator.evaluate(scorer: alwaysYes, tasks: tasks, limit: 12, seed: 5, trainingManifest: nil)
        let existence = TinyWorld.world.examples(.existence, modality: .vision, split: .eval, count: 12).map(\.answer)
        let yesShare = Double(existence.filter { $0 == "yes" }.count) / 12
        #expect(scores[0].chance == 0.5 && scores[0].majority == max(yesShare, 1 - yesShare))
        #expect(abs(scores[0].accuracy - yesShare) < 1e-9)  // always "yes" scores the share of yes answers
        #expect(abs(scores[1].chance - 1.0 / 3) < 1e-9 && scores[1].accuracy == 0)
        let counts = TinyWorld.world.examples(.counting, modality: .language, split: .eval, count: 12).map(\.answer)
        #expect(abs(scores[2].chance - 1 / Double(Set(counts).count)) < 1e-9)
        #expect(scores[2].block == .transfer)
    }

    @Test func theQuestionOnlyBaselineIsScoredOnTheEvaluatedDocuments() throws {
        let (folder, manifest) = try TinyWorld.written.get()
        let records = manifest.trainingFiles.filter { $0.taskCluster == "counting" }.map { folder.appendingPathComponent($0.path) }
        var task = TinyWorld.task(.counting, .vision, block: .transfer)
        task.questionOnlyRecords = records
        let baseline = try QuestionOnlyBaseline(files: records)
        // A scorer that gives the baseline's answer scores exactly the baseline; the oracle beats it.
        let blind = Self.scorer { baseline.answer(to: $0) + "\"" }
        let scores = try Self.evaluator.evaluate(scorer: blind, tasks: [task, TinyWorld.task(.counting, .language)], limit: 12,
                                                 seed: 4, trainingManifest: nil)
        let questionOnly = try #require(scores[0].questionOnly)
        #expect(abs(scores[0].accuracy - questionOnly) < 1e-12 && questionOnly < 1)
        #expect(scores[1].questionOnly == nil)
        let oracle = try Self.evaluator.evaluate(scorer: Self.oracle, tasks: [task], limit: 12, seed: 4, trainingManifest: nil)
        #expect(oracle[0].accuracy == 1 && oracle[0].questionOnly == questionOnly)
    }

    @Test func theImageSwapTwinSeparatesAnswersReadFromTheImageFromAnswersToTheQuestion() throws {
        _ = try TinyWorld.written.get()
        var task = TinyWorld.task(.existence, .vision)
        task.swappedImages = .definition(try ImageSwapTwin.write(besides: TinyWorld.taskFile(.existence, .vision)))
        // The oracle answers what each document's own image shows; another image leaves it guessing.
        let reading = try Self.evaluator.evaluate(scorer: Self.oracle, tasks: [task], limit: 12, seed: 2, trainingManifest: nil)
        #expect(reading[0].accuracy == 1 && (reading[0].swappedImageAccuracy ?? 1) < 1)
        // A scorer that never looks at the image scores the same either way, on the same documents.
        let blind = Self.scorer { $0.contains("blue") ? "yes\"" : "no\"" }
        let guessing = try Self.evaluator.evaluate(scorer: blind, tasks: [task], limit: 12, seed: 2, trainingManifest: nil)
        #expect(guessing[0].swappedImageAccuracy == guessing[0].accuracy)
        #expect(guessing[0].accuracy > 0 && guessing[0].accuracy < 1)
    }

    @Test func theManifestDecidesWhatIsZeroShotAndALeakedClusterIsCaught() throws {
        _ = try TinyWorld.written.get()
        let leaked = try Self.manifest(trainedOn: ["counting", "existence"])
        defer { try? FileManager.default.removeItem(at: leaked) }
        let tasks = Self.heldOut + [TinyWorld.task(.counting, .vision, block: .transfer)]
        let scores = try Self.evaluator.evaluate(scorer: Self.oracle, tasks: tasks, limit: 4, seed: 2, trainingManifest: leaked)
        let verdicts = Dictionary(scores.map { ($0.name, $0.zeroShot) }, uniquingKeysWith: { a, _ in a })
        #expect(verdicts["micro_existence_language"] == false && verdicts["micro_existence_vision"] == false)
        #expect(verdicts["micro_counting_vision"] == false)
        #expect(verdicts["micro_multiple_choice_vision"] == true && verdicts["micro_boolean_statement_language"] == true)
        // The leaked cells are marked and left out of the averages, even though they score 1.
        let run = RecipeRun(name: "leaky", languageFraction: 1, scores: scores.map { var s = $0; s.accuracy = s.zeroShot ? 0.25 : 1; return s },
                            training: nil)
        #expect(run.average(nil) == 0.25)
        let report = ExperimentReport(recipe: .quick, runs: [SeedRun(seed: 1, stages: [], recipes: [run])], wallSeconds: 1)
        #expect(report.recipes[0].cells.first { $0.task == "micro_existence_vision" }?.heldOut == false)
        #expect(report.markdown.contains("1.000 ± 0.000 (seen)"))
        #expect(report.findings.contains("leaky, trained on 2 held-out tasks (seen, never averaged): above chance and majority "
            + "beyond the spread on existence_language, existence_vision."))
    }

    @Test func realNLVRStatementsAreScoredAsYesNoOnPermutationZero() throws {
        let nlvr = ExperimentTask(name: "nlvr", source: .builtin("nlvr"), block: .heldOut)
        let scores = try Self.evaluator.evaluate(scorer: Self.scorer { _ in "true" }, tasks: [nlvr], limit: 20, seed: 9,
                                                 trainingManifest: nil)
        #expect(scores.count == 1 && scores[0].modality == "vision" && scores[0].documents == 20 && scores[0].chance == 0.5)
        #expect(scores[0].accuracy > 0 && scores[0].accuracy < 1)  // "true" → "yes": right on the true statements only
    }

    @Test func aTaskFileThatCannotBeReadIsAnErrorNamingIt() throws {
        let missing = ExperimentTask(name: "gone", source: .definition(URL(fileURLWithPath: "/nonexistent/gone.json")), block: .heldOut)
        #expect(throws: (any Error).self) {
            try Self.evaluator.evaluate(scorer: Self.scorer { _ in "" }, tasks: [missing], limit: 1, seed: 1, trainingManifest: nil)
        }
    }
}
