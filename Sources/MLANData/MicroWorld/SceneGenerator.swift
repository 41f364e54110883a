/// Draws random scenes: three boxes of `objectsPerBox` objects, each of a uniformly random shape, colour and size,
/// placed at integer positions where no two bounding squares (grown by `margin` units) overlap.
public struct SceneGenerator: Sendable, Equatable {
    /// How many objects each box gets (uniform over the range).
    public var objectsPerBox: ClosedRange<Int>
    /// Space kept free between objects' bounding squares, in box units.
    public var margin: Int

    /// A generator; the range must lie in `1...4` so that placement always succeeds.
    public init(objectsPerBox: ClosedRange<Int> = 1...4, margin: Int = 2) {
        precondition(objectsPerBox.lowerBound >= 1 && objectsPerBox.upperBound <= 4,
                     "objectsPerBox must lie in 1...4, got \(objectsPerBox)")
        precondition((0...5).contains(margin), "margin must lie in 0...5, got \(margin)")
        self.objectsPerBox = objectsPerBox
        self.margin = margin
    }

    /// A random scene; the same generator state gives the same scene.
    public func scene(using rng: inout SplitMix64) -> Scene {
        Scene(boxes: (0..<Scene.boxCount).map { _ in box(using: &rng) })
    }

    /// One box. Positions are drawn by rejection; a box whose objects cannot all be placed within a bounded number
    /// of draws is drawn again from scratch (four objects of side ≤ 30 with a margin ≤ 5 always fit eventually).
    private func box(using rng: inout SplitMix64) -> [SceneObject] {
        let count = objectsPerBox.lowerBound + rng.nextInt(below: objectsPerBox.count)
        while true {
            var objects: [SceneObject] = []
            for _ in 0..<count {
                let shape = SceneShape.allCases[rng.nextInt(below: SceneShape.allCases.count)]
                let color = SceneColor.allCases[rng.nextInt(below: SceneColor.allCases.count)]
                let size = SceneSize.allCases[rng.nextInt(below: SceneSize.allCases.count)]
                let span = SceneObject.boxSide - size.rawValue + 1
                for _ in 0..<64 {
                    let candidate = SceneObject(shape: shape, color: color, size: size,
                                                x: rng.nextInt(below: span), y: rng.nextInt(below: span))
                    if !objects.contains(where: { $0.overlaps(candidate, margin: margin) }) {
                        objects.append(candidate)
                        break
                    }
                }
            }
            if objects.count == count { return objects }
        }
    }
}
