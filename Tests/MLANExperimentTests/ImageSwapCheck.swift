import Foundation
import MLANData
import MLANModel
import MLANTrain
import Testing
@testable import MLANExperiment

/// An instrument, opt-in: does a demo seed's control model answer its held-out vision tasks from the image? It
/// scores the seed's last `stage2_control` checkpoint on the held-out vision tasks twice, each document with its
/// own image and with the next document's (the last with the first's), as the alignment probe swaps captions'
/// images. A model that answers from the question scores the same both ways. The first pass must reproduce the
/// demo's own sample log, bit for bit in its answers.
///
/// `MLAN_SWAP_SEED=RUN/seed-N MLAN_SWAP_RECIPE=R.json swift test -c release -Xswiftc -enable-testing
/// --filter ImageSwapCheck`; prints one `image swap` line per task; the swapped tasks' answers are logged to
/// `RUN/seed-N/samples/image-swap/`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MLAN_SWAP_SEED"] != nil)) struct ImageSwapCheck {
    static let tasks = ["existence_vision", "multiple_choice_vision", "boolean_statement_vision"]

    @Test func theControlScoresItsHeldOutVisionTasksWithTheirOwnImagesAndWithAnothersImage() throws {
        let environment = ProcessInfo.processInfo.environment
        let seedFolder = URL(fileURLWithPath: try #require(environment["MLAN_SWAP_SEED"]))
        let recipe = try MicroRecipe.load(from: URL(fileURLWithPath: try #require(environment["MLAN_SWAP_RECIPE"])))
        let seed = try #require(UInt64(seedFolder.lastPathComponent.replacingOccurrences(of: "seed-", with: "")))
        let tokenizer = try BPETokenizer.load(from: seedFolder.appendingPathComponent("tokenizer.json"))
        let llava = MicroExperiment(recipe: recipe, output: seedFolder.deletingLastPathComponent())
            .model(seed: seed, vocabularySize: tokenizer.vocabularySize, eos: try #require(tokenizer.tokenID("</s>")))
        let files = FileManager.default
        let checkpoints = seedFolder.appendingPathComponent("runs/stage2_control/checkpoints")
        let last = try #require(try files.contentsOfDirectory(at: checkpoints, includingPropertiesForKeys: nil)
            .sorted { $0.path < $1.path }.last)
        let weights = try #require(try files.contentsOfDirectory(at: last, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("model-") })
        try llava.loadWeights(from: SafetensorsSource(files: [weights], path: weights.path))

        let world = seedFolder.appendingPathComponent("world")
        let folder = world.appendingPathComponent("tasks")
        var tasks: [ExperimentTask] = []
        for name in Self.tasks {
            tasks.append(ExperimentTask(name: "micro_\(name)", source: .definition(folder.appendingPathComponent("\(name).json")),
                                        block: .heldOut))
            let documents = try String(contentsOf: folder.appendingPathComponent("\(name).jsonl"), encoding: .utf8)
                .split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            let swapped = try documents.indices.map { index in
                var document = documents[index]
                document["image"] = documents[(index + 1) % documents.count]["image"]
                return String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
            }
            try (swapped.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("\(name)_swapped.jsonl"),
                                                               atomically: true, encoding: .utf8)
            let definition = try String(contentsOf: folder.appendingPathComponent("\(name).json"), encoding: .utf8)
                .replacingOccurrences(of: "\"\(name).jsonl\"", with: "\"\(name)_swapped.jsonl\"")
            try definition.write(to: folder.appendingPathComponent("\(name)_swapped.json"), atomically: true, encoding: .utf8)
            tasks.append(ExperimentTask(name: "micro_\(name)_swapped",
                                        source: .definition(folder.appendingPathComponent("\(name)_swapped.json")), block: .heldOut))
        }
        let pixels = PixelStore(root: world, width: recipe.vision.width, height: recipe.vision.imageSize)
        let scores = try HarnessEvaluator(progress: .silent).evaluate(
            llava, tokenizer: tokenizer, images: pixels, tasks: tasks, limit: recipe.evalLimit, seed: seed,
            trainingManifest: nil, sampleLog: seedFolder.appendingPathComponent("samples/image-swap"))
        for name in Self.tasks {
            let log = seedFolder.appendingPathComponent("samples/control/samples_micro_\(name).jsonl")
            let rows = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
                .map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            let demo = rows.compactMap { ($0["metrics"] as? [String: Double])?.values.first }.reduce(0, +) / Double(rows.count)
            let own = try #require(scores.first { $0.name == "micro_\(name)" })
            let swapped = try #require(scores.first { $0.name == "micro_\(name)_swapped" })
            #expect(own.accuracy == demo, "\(name): \(own.accuracy) here, \(demo) in the demo's log")
            print(String(format: "image swap %@ %@: own image %.3f, next document's %.3f (%d documents)",
                         seedFolder.lastPathComponent, name, own.accuracy, swapped.accuracy, own.documents))
        }
    }
}
