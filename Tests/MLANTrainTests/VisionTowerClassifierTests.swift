import Foundation
import MLANCore
import MLANData
import MLANModel
import Testing
@testable import MLANTrain

/// The tower's pretraining head: its loss is the mean cross-entropy of its slots, bad examples are errors naming
/// the example, and training through the `Trainer` teaches the tower to tell two images apart.
@Suite struct VisionTowerClassifierTests {
    /// A folder with a red and a blue 16×16 PNG, and a classifier over a tiny tower reading them.
    static func classifier(slots: Int = 3) throws -> (VisionTowerClassifier, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-tower-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try RGBImage(width: 16, height: 16, filledWith: (200, 30, 30)).writePNG(to: root.appendingPathComponent("red.png"))
        try RGBImage(width: 16, height: 16, filledWith: (30, 30, 200)).writePNG(to: root.appendingPathComponent("blue.png"))
        var rng = SplitMix64(seed: 11)
        let tower = CLIPVisionModel(.tiny, rng: &rng)
        let classifier = try VisionTowerClassifier(tower: tower, featureLayer: -2, slots: slots, classes: 2,
                                                   images: PixelStore(root: root, width: 16, height: 16), rng: &rng)
        return (classifier, root)
    }

    static let examples = [VisionTowerClassifier.example(id: "r", image: "red.png", classes: [1, 0, 1]),
                           VisionTowerClassifier.example(id: "b", image: "blue.png", classes: [0, 1, 1])]

    @Test func theLossIsTheMeanCrossEntropyOfEverySlot() throws {
        let (classifier, root) = try Self.classifier()
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try VisionTowerClassifier.collator.collate(Self.examples)
        let loss = try classifier.loss(batch).item
        let pixels = try ["red.png", "blue.png"].map { try classifier.images.pixels($0) }
        let logits = try classifier.logits(Tensor.stack(pixels.map { Tensor(shape: $0.shape, scalars: $0.values) }))
        #expect(logits.shape == [2, 3, 2])
        let values = logits.scalars.map(Double.init)
        var total = 0.0
        for (row, example) in Self.examples.enumerated() {
            for (slot, target) in example.tokens.ids.dropFirst().enumerated() {
                let pair = values[(row * 3 + slot) * 2..<(row * 3 + slot) * 2 + 2]
                total -= pair[pair.startIndex + target] - log(pair.map(exp).reduce(0, +))
            }
        }
        #expect(abs(Double(loss) - total / 6) < 1e-5)
    }

    @Test func trainingTellsTheImagesApart() throws {
        let (classifier, root) = try Self.classifier()
        defer { try? FileManager.default.removeItem(at: root) }
        var config = TrainConfig()
        (config.learningRate, config.globalBatchSize, config.microBatchSize, config.epochs) = (1e-2, 2, 2, 60)
        config.warmupRatio = 0
        let trainer = try Trainer(model: classifier, config: config, examples: Self.examples,
                                  collator: VisionTowerClassifier.collator, runDirectory: nil)
        trainer.log.printsProgress = false
        let result = try trainer.run(resume: false)
        let first = try #require(result.records.first?.loss)
        #expect(first > 0.4 && result.finalLoss < 0.05, "loss \(first) -> \(result.finalLoss)")
        let patches = classifier.tower.config.numPatches
        #expect(result.efficiency.textTokens == 0 && result.efficiency.imageTokens == 60 * Self.examples.count * patches)
        #expect(classifier.tower.namedParameters().allSatisfy { $0.tensor.requiresGrad })
        let accuracy = try classifier.accuracy(on: Self.examples)
        #expect(accuracy.slots == 1 && accuracy.images == 1)
        let swapped = [VisionTowerClassifier.example(id: "r", image: "red.png", classes: [0, 1, 1])] + Self.examples
        let half = try classifier.accuracy(on: swapped)
        #expect(abs(half.slots - 7.0 / 9) < 1e-12 && abs(half.images - 2.0 / 3) < 1e-12)
    }

    @Test func anExampleThatDoesNotFitIsAnErrorNamingIt() throws {
        let (classifier, root) = try Self.classifier()
        defer { try? FileManager.default.removeItem(at: root) }
        let short = VisionTowerClassifier.example(id: "short-7", image: "red.png", classes: [1, 0])
        let outOfRange = VisionTowerClassifier.example(id: "wide-3", image: "red.png", classes: [1, 0, 2])
        for example in [short, outOfRange] {
            let batch = try VisionTowerClassifier.collator.collate([example])
            #expect { try classifier.loss(batch) } throws: { String(describing: $0).contains(example.id) }
        }
        var rng = SplitMix64(seed: 1)
        #expect(throws: ModelError.self) {
            try VisionTowerClassifier(tower: classifier.tower, featureLayer: -4, slots: 1, classes: 2,
                                      images: classifier.images, rng: &rng)
        }
    }
}
