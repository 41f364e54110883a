import Foundation
import MLANData
import MLANEval
import Testing
@testable import MLANExperiment

/// The held-out clusters are reachable but unseen: every token of their answers is a supervised target of the
/// MLAN (100% language) mixture, while no training file holds a held-out instruction or a held-out cluster.
struct HeldOutPropertyTests {
    @Test func everyHeldOutAnswerTokenIsASupervisedTargetOfTheLanguageOnlyMixture() throws {
        let (folder, manifest) = try TinyWorld.written.get()
        let tokenizer = try MicroExperiment.trainTokenizer(world: folder, manifest: manifest, vocabularySize: 400)
        let mixture = try Mixture.build(name: "mlan", sources: try manifest.trainingSources(in: folder),
                                        plan: .modalities(languageFraction: 1, total: 300), seed: 1)
        var supervised = Set<Int>()
        for record in mixture.records {
            let example = try Example(record, template: VicunaTemplate(), tokenizer: tokenizer, imagePlaceholder: -200, addBOS: false)
            #expect(example.images.isEmpty)
            for (id, target) in zip(example.tokens.ids, example.tokens.isTarget) where target { supervised.insert(id) }
        }
        var checked = 0
        for cluster in MicroTaskCluster.heldOut {
            let definition = try TaskDefinition.load(from: TinyWorld.taskFile(cluster, .language))
            let prefill = definition.conversation?.assistantPrefill ?? ""
            #expect(!prefill.isEmpty, "\(cluster) is asked with the paper's prefill")
            let answers = Set(TinyWorld.world.examples(cluster, modality: .language, split: .eval, count: 12).map(\.answer))
            for answer in answers {
                // The reply as the model writes it after the prefill: the answer and the closing quote.
                let full = tokenizer.encode("ASSISTANT: " + prefill + answer + "\"", addSpecialTokens: false)
                let head = tokenizer.encode("ASSISTANT: " + prefill, addSpecialTokens: false)
                #expect(Array(full.prefix(head.count)) == head, "the prefill tokenizes alike with and without \(answer)")
                let answerTokens = full.dropFirst(head.count)
                #expect(!answerTokens.isEmpty)
                for id in answerTokens {
                    #expect(supervised.contains(id), "\(cluster) answer \(answer): token \(id) is never a training target")
                    checked += 1
                }
            }
        }
        #expect(checked >= 6)
    }

    @Test func noTrainingFileHoldsAHeldOutInstructionOrCluster() throws {
        let (folder, manifest) = try TinyWorld.written.get()
        var texts = try String(contentsOf: folder.appendingPathComponent(manifest.corpus), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let files = [manifest.captions, try #require(manifest.instructions)] + manifest.trainingFiles.map(\.path)
        for file in files {
            let records = try InstructionDataset.load(from: folder.appendingPathComponent(file)).records
            #expect(!records.isEmpty, "\(file)")
            texts += records.flatMap { $0.turns.map(\.text) }
        }
        #expect(texts.count > 1000)
        #expect(texts.contains { $0.hasPrefix("List: a ") }, "the stage-0 conjunction lookups are checked too")
        for text in texts { #expect(!MicroPrompt.containsHeldOutInstruction(text), "\(text)") }
        let heldOut = Set(MicroTaskCluster.heldOut.map(\.rawValue))
        #expect(manifest.trainingFiles.allSatisfy { !heldOut.contains($0.taskCluster) })
        // Every held-out evaluation prompt does carry its held-out instruction.
        for cluster in MicroTaskCluster.heldOut {
            for example in TinyWorld.world.examples(cluster, modality: .vision, split: .eval, count: 5) {
                #expect(MicroPrompt.containsHeldOutInstruction(example.prompt))
            }
        }
    }

    @Test func trainingCoversEveryAnswerFormatOfTheHeldOutClustersWithoutTheirScenes() throws {
        let (_, manifest) = try TinyWorld.written.get()
        let trainedClusters = Set(manifest.trainingFiles.map(\.taskCluster))
        for cluster in MicroTaskCluster.heldOut {
            #expect(trainedClusters.contains(GenericInstruction.clusterName(cluster.answerFormat)))
        }
    }
}
