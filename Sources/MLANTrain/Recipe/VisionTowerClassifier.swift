import MLANCore
import MLANData
import MLANModel

/// A vision tower pretrained on its own, as CLIP's is before LLaVA aligns it: a linear head reads the patch
/// tokens of one tower layer (flattened, so it sees where each token lies) and predicts one class for each of
/// `slots` questions about the image (e.g. how many objects of each kind each box holds).
///
/// An example is one image and its answers: ids `[imagePlaceholder, class₀, class₁, …]`, every class a target
/// (``example(id:image:classes:)`` builds it, ``collator`` batches it). The head is thrown away afterwards; the
/// tower keeps what it learned.
public final class VisionTowerClassifier: TrainableModel {
    /// The id that stands for the image in an example (never a class).
    public static let imagePlaceholder = -1

    /// The tower being trained (shared with the model that uses it later).
    public let tower: CLIPVisionModel
    /// The hidden state the head reads, as LLaVA's `vision_feature_layer` (-2: all but the last layer).
    public let featureLayer: Int
    /// Questions per image and answers per question.
    public let slots: Int, classes: Int
    /// `[slots · classes, patches · hidden]`.
    public let head: Linear
    /// Where the examples' images are read from.
    public let images: PixelStore

    /// A fresh head over `tower`'s layer `featureLayer` for `slots` questions of `classes` answers each.
    /// - Throws: `ModelError.featureLayerOutOfRange` when the tower has no such layer.
    public init(tower: CLIPVisionModel, featureLayer: Int, slots: Int, classes: Int, images: PixelStore,
                rng: inout some RandomNumberGenerator) throws {
        precondition(slots > 0 && classes > 1, "a classifier needs at least one slot and two classes")
        guard tower.hiddenStateIndex(forFeatureLayer: featureLayer) != nil else {
            throw ModelError.featureLayerOutOfRange(layer: featureLayer, towerLayers: tower.config.numHiddenLayers)
        }
        self.tower = tower
        self.featureLayer = featureLayer
        self.slots = slots
        self.classes = classes
        self.images = images
        head = Linear(tower.config.numPatches * tower.config.hiddenSize, slots * classes, rng: &rng)
    }

    /// Lists `vision_tower` and `head`.
    public func visit(_ v: inout ParameterVisitor) {
        v.module("vision_tower", tower)
        v.module("head", head)
    }

    /// The tower's patches per image.
    public var imageTokenCount: Int { tower.config.numPatches }
    /// False: an example's ids are the image's labels, not text.
    public var readsText: Bool { false }

    /// The example of one image and its answers, one class per slot.
    public static func example(id: String, image: String, classes: [Int]) -> Example {
        Example(id: id, tokens: TokenizedExample(ids: [imagePlaceholder] + classes,
                                                 isTarget: [false] + classes.map { _ in true }),
                images: [image])
    }

    /// Batches ``example(id:image:classes:)`` examples.
    public static var collator: Collator { Collator(padID: 0, imagePlaceholder: imagePlaceholder, imageTokenCount: 1) }

    /// `[B, slots, classes]` logits of `[B, C, H, W]` pixel values.
    /// - Throws: `ModelError.inputShape` for pixel values of another size than the tower's.
    public func logits(_ pixels: Tensor) throws -> Tensor {
        let features = try tower.features(pixels, layers: [featureLayer], selection: .patches)  // [B, N, D]
        let rows = features.shape[0]
        return head(features.reshaped([rows, features.shape[1] * features.shape[2]])).reshaped([rows, slots, classes])
    }

    /// `[]`: the mean cross-entropy over every target slot of the batch.
    /// - Throws: `TrainError.invalidConfig` for a row that is not one image and `slots` classes in range,
    ///   `ImageError` for an image that cannot be read.
    public func loss(_ batch: Batch) throws -> Tensor {
        let (pixels, targets) = try inputs(batch)
        return try logits(pixels).reshaped([batch.count * slots, classes]).crossEntropy(targets: targets)
    }

    /// How often the most likely class is the answer on `examples`, without gradients: over all slots, and over
    /// images (every slot right).
    /// - Throws: as ``loss(_:)``.
    public func accuracy(on examples: [Example]) throws -> (slots: Double, images: Double) {
        let batch = try Self.collator.collate(examples)
        let (pixels, targets) = try inputs(batch)
        let values = try withoutGradients { try logits(pixels) }.scalars
        let right = targets.indices.map { slot in
            let scores = Array(values[(slot * classes)..<((slot + 1) * classes)])
            return scores.indices.max { scores[$0] < scores[$1] } == targets[slot]
        }
        let perfect = stride(from: 0, to: right.count, by: slots).filter { right[$0..<($0 + slots)].allSatisfy { $0 } }
        return (Double(right.filter { $0 }.count) / Double(right.count), Double(perfect.count) / Double(batch.count))
    }

    /// The batch's pixel values `[B, C, H, W]` and its targets, one per slot (-100 where a slot is not a target).
    private func inputs(_ batch: Batch) throws -> (Tensor, [Int]) {
        var pixels: [Tensor] = [], targets: [Int] = []
        for row in 0..<batch.count {
            let ids = batch.inputIDs[row].prefix(batch.lengths[row])
            guard batch.images[row].count == 1, ids.count == slots + 1, ids.first == Self.imagePlaceholder,
                  ids.dropFirst().allSatisfy({ (0..<classes).contains($0) }) else {
                throw TrainError.invalidConfig(field: "example \(batch.exampleIDs[row])", reason: "a tower classifier's "
                    + "example is one image and \(slots) classes in 0..<\(classes)")
            }
            let values = try images.pixels(batch.images[row][0])
            pixels.append(Tensor(shape: values.shape, scalars: values.values))
            targets += zip(ids.dropFirst(), batch.isTarget[row].dropFirst()).map { $1 ? $0 : -100 }
        }
        return (Tensor.stack(pixels), targets)
    }
}
