import Foundation
import MLANData
@testable import MLANExperiment

/// A tiny micro world written once per test process, with its manifest and a tokenizer trained as the demo's.
enum TinyWorld {
    static let counts = MicroWorldCounts(captions: 8, corpusScenes: 30, trainPerCluster: 40, evalPerCluster: 12)
    static let seed: UInt64 = 7
    static let world = MicroWorld(seed: seed, imageSize: .micro, scenes: SceneGenerator(objectsPerBox: 1...2),
                                  conjunctionLookups: 20)

    /// The written world: its folder and manifest.
    static let written: Result<(folder: URL, manifest: MicroWorldManifest), any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-tinyworld-\(UUID().uuidString)")
        return (folder, try world.write(to: folder, counts: counts))
    }

    /// The world's folder (a missing folder when writing failed; `written` holds the error).
    static var folder: URL { (try? written.get().folder) ?? URL(fileURLWithPath: "/nonexistent-tiny-world") }

    /// The task definition file of an evaluation set.
    static func taskFile(_ cluster: MicroTaskCluster, _ modality: MicroModality) -> URL {
        folder.appendingPathComponent(MicroWorld.taskDefinitionPath(cluster, modality: modality))
    }

    /// The experiment task of an evaluation set.
    static func task(_ cluster: MicroTaskCluster, _ modality: MicroModality, block: TaskBlock = .heldOut) -> ExperimentTask {
        ExperimentTask(name: "micro_\(cluster.rawValue)_\(modality.rawValue)", source: .definition(taskFile(cluster, modality)),
                       block: block)
    }

    /// The oracle's key of a prompt: its user turn and its image's file name (vision prompts repeat questions).
    static func key(_ prompt: String, image: String?) -> String {
        prompt + "|" + (image.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "")
    }

    /// Key → the reply a perfect model would generate after the task's prefill (closing quote included).
    static let oracleReplies: [String: String] = {
        var replies: [String: String] = [:]
        for cluster in MicroTaskCluster.allCases {
            for modality in MicroModality.allCases {
                for example in world.examples(cluster, modality: modality, split: .eval, count: counts.evalPerCluster) {
                    replies[key(example.prompt, image: example.image)] = example.answer + (cluster.isHeldOut ? "\"." : "")
                }
            }
        }
        return replies
    }()
}
