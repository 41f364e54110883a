import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTrain
import Testing
@testable import MLANExperiment

/// The stage-1 probe: new scenes' captions, never trained on, scored with their own and with shifted images.
struct AlignmentProbeTests {
    /// The tiny world's probe captions as plain-template examples, a fresh micro LLaVA, and its collator.
    private func setUp() throws -> (examples: [Example], model: LlavaTrainingModel, collator: Collator, world: MicroWorldManifest) {
        let (folder, manifest) = try TinyWorld.written.get()
        let file = try #require(manifest.probeCaptions)
        let tokenizer = try MicroExperiment.trainTokenizer(world: folder, manifest: manifest, vocabularySize: 400)
        let recipe = MicroRecipe.quick
        var language = recipe.language
        language.vocabSize = tokenizer.vocabularySize
        language.eosTokenID = tokenizer.eosTokenID
        language.bosTokenID = nil
        var rng = SplitMix64(seed: 3)
        let llava = LlavaForConditionalGeneration(languageModel: LlamaForCausalLM(language, rng: &rng),
                                                  visionTower: CLIPVisionModel(recipe.vision, rng: &rng),
                                                  projectorType: .mlp2xGELU, seed: 4)
        let image = llava.config.imageTokenIndex
        let examples = try InstructionDataset.load(from: folder.appendingPathComponent(file)).records.map {
            try Example($0, template: PlainTemplate(), tokenizer: tokenizer, imagePlaceholder: image, addBOS: false)
        }
        let collator = Collator(padID: try #require(tokenizer.padTokenID), maxLength: 320, imagePlaceholder: image,
                                imageTokenCount: llava.config.imageSeqLength)
        let pixels = PixelStore(root: folder, width: recipe.vision.width, height: recipe.vision.imageSize)
        return (examples, LlavaTrainingModel(llava, images: pixels), collator, manifest)
    }

    @Test func theWorldWritesNewScenesThatNoTrainingFileHolds() throws {
        let (folder, manifest) = try TinyWorld.written.get()
        let records = try InstructionDataset.load(from: folder.appendingPathComponent(try #require(manifest.probeCaptions))).records
        #expect(records.count == TinyWorld.counts.evalPerCluster)
        let trained = try InstructionDataset.load(from: folder.appendingPathComponent(manifest.captions)).records
        #expect(Set(records.flatMap(\.images)).isDisjoint(with: trained.flatMap(\.images)))
        for path in records.flatMap(\.images) {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path), "\(path)")
        }
        // The tokenizer never reads it: it is an evaluation file.
        #expect(manifest.probeCaptions?.hasPrefix(MicroWorld.Split.eval.rawValue + "/") == true)
    }

    @Test func lossesAreMeansOverCaptionsWithOwnAndShiftedImages() throws {
        let (examples, model, collator, _) = try setUp()
        #expect(examples.count == TinyWorld.counts.evalPerCluster && examples.allSatisfy { $0.images.count == 1 })
        let probe = try AlignmentProbe.measure(model, examples: examples, collator: collator)
        /// Each example's own mean loss, computed here through a batch of all of them with per-row targets.
        func perCaption(_ list: [Example]) throws -> [Double] {
            try list.map { example in
                let batch = try collator.collate([example])
                return Double(try withoutGradients { try model.llava.forward([TokenizedExample(
                    ids: Array(batch.inputIDs[0].prefix(batch.lengths[0])),
                    isTarget: Array(batch.isTarget[0].prefix(batch.lengths[0])))],
                    images: [[try model.images.pixels(example.images[0])]]).loss }.item)
            }
        }
        var shifted = examples
        for index in shifted.indices { shifted[index].images = examples[(index + 1) % examples.count].images }
        let own = try perCaption(examples), other = try perCaption(shifted)
        let gains = zip(other, own).map { $0 - $1 }
        let n = Double(gains.count), meanGain = gains.reduce(0, +) / n
        let standardError = (gains.map { ($0 - meanGain) * ($0 - meanGain) }.reduce(0, +) / (n - 1) / n).squareRoot()
        #expect(probe.captions == examples.count)
        #expect(abs(probe.matchedLoss - own.reduce(0, +) / n) < 1e-9)
        #expect(abs(probe.mismatchedLoss - other.reduce(0, +) / n) < 1e-9)
        #expect(abs(probe.gainStandardError - standardError) < 1e-9)
        #expect(probe.gainStandardError > 0 && probe.matchedLoss != probe.mismatchedLoss)  // the images reach the loss
        #expect(probe.readsImages == (probe.gain > 2 * probe.gainStandardError))
    }

    @Test func fewerThanTwoCaptionsOrATextOnlyOneAreErrors() throws {
        let (examples, model, collator, _) = try setUp()
        #expect(throws: ExperimentError.self) { try AlignmentProbe.measure(model, examples: [examples[0]], collator: collator) }
        var textOnly = examples
        textOnly[1].images = []
        #expect(throws: ExperimentError.self) { try AlignmentProbe.measure(model, examples: textOnly, collator: collator) }
    }
}
