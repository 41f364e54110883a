import Foundation
import Testing
@testable import MLANData

/// Compound object names change only how descriptions and captions name objects; questions, facts and answers keep
/// the separate words, and the scene stays the same.
struct ObjectWordsTests {
    static let object = SceneObject(shape: .circle, color: .blue, size: .large, x: 0, y: 0)

    @Test func namesJoinSizeColourAndShape() {
        #expect(ObjectWords.separate.name(of: Self.object) == "large blue circle")
        #expect(ObjectWords.compound.name(of: Self.object) == "largebluecircle")
        let names = ObjectWords.compound.allNames
        #expect(names.count == 27 && Set(names).count == 27 && names.allSatisfy { $0.allSatisfy(\.isLetter) })
    }

    @Test func aCompoundWorldNamesEachObjectInOneWordWhereTheSceneIsDescribed() throws {
        let separate = MicroWorld(seed: 3), compound = MicroWorld(seed: 3, objectWords: .compound)
        let names = ObjectWords.compound.allNames
        func hasCompound(_ text: String) -> Bool { names.contains { text.contains($0) } }
        for cluster in MicroTaskCluster.allCases {
            let a = separate.examples(cluster, modality: .language, split: .eval, count: 8)
            let b = compound.examples(cluster, modality: .language, split: .eval, count: 8)
            for (x, y) in zip(a, b) {
                // Same scene, question and answer; only the description differs.
                #expect(x.scene == y.scene && x.query == y.query && x.answer == y.answer)
                #expect(y.prompt.contains(SceneDescriber.description(y.scene, words: .compound)))
                #expect(!hasCompound(x.prompt) && hasCompound(y.prompt) && !hasCompound(y.query.question))
            }
            let image = compound.examples(cluster, modality: .vision, split: .eval, count: 4)
            #expect(image.allSatisfy { !hasCompound($0.prompt) })
        }
        let captions = compound.captions(count: 5)
        #expect(captions.allSatisfy { hasCompound($0.record.turns[1].text) })
        let corpus = compound.corpus(scenes: 4)
        for (index, line) in corpus.enumerated() {
            #expect(hasCompound(line), "line \(index)")
            #expect(!hasCompound(line.components(separatedBy: "question:").dropFirst().joined()), "line \(index)")
        }
        #expect(corpus.count == separate.corpus(scenes: 4).count)
    }
}
