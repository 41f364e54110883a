extension Scene {
    /// Kinds of object (size, colour, shape): 27, in ``ObjectWords/allNames``' order.
    public static let kindCount = SceneSize.allCases.count * SceneColor.allCases.count * SceneShape.allCases.count

    /// How many objects of each kind each box holds, capped at `cap`: ``boxCount`` × ``kindCount`` values, the left
    /// box's kinds first, each kind in ``ObjectWords/allNames``' order. What a caption says about the scene, as
    /// labels for pretraining a vision tower.
    public func kindCounts(cappedAt cap: Int) -> [Int] {
        precondition(cap > 0, "the cap on a kind's count must be positive, got \(cap)")
        var counts = [Int](repeating: 0, count: Self.boxCount * Self.kindCount)
        for (box, objects) in boxes.enumerated() {
            for object in objects {
                let slot = box * Self.kindCount + Self.kindIndex(object)
                counts[slot] = min(counts[slot] + 1, cap)
            }
        }
        return counts
    }

    /// `object`'s kind: size major, then colour, then shape.
    static func kindIndex(_ object: SceneObject) -> Int {
        let size = SceneSize.allCases.firstIndex(of: object.size)!
        let color = SceneColor.allCases.firstIndex(of: object.color)!
        let shape = SceneShape.allCases.firstIndex(of: object.shape)!
        return (size * SceneColor.allCases.count + color) * SceneShape.allCases.count + shape
    }
}
