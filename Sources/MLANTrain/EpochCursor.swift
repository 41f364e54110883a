/// Finds the micro-batches of an optimizer step: epoch after epoch, each epoch's micro-batches in their order,
/// `accumulation` to a step, the last step of an epoch taking what is left. Steps are asked for in increasing
/// order (a resumed run starts at its checkpoint's step).
struct EpochCursor {
    /// The epoch of the step asked for last (0-based).
    private(set) var epoch = 0
    private let accumulation: Int
    private var batches: [[Int]]
    private var stepsBefore = 0

    /// A cursor at epoch 0, whose micro-batches are `first`.
    init(accumulation: Int, first: [[Int]]) {
        precondition(accumulation > 0, "accumulation must be positive, got \(accumulation)")
        self.accumulation = accumulation
        batches = first
    }

    private var stepsInEpoch: Int { (batches.count + accumulation - 1) / accumulation }

    /// The micro-batches (example indices) of the 0-based step `step`; `order(e)` gives epoch `e`'s micro-batches.
    /// - Throws: what `order` throws.
    mutating func globalBatch(at step: Int, order: (Int) throws -> [[Int]]) throws -> ArraySlice<[Int]> {
        precondition(step >= stepsBefore, "steps go forward: \(step) comes before epoch \(epoch)'s first step \(stepsBefore)")
        while step >= stepsBefore + stepsInEpoch {
            stepsBefore += stepsInEpoch
            epoch += 1
            batches = try order(epoch)
        }
        let first = (step - stepsBefore) * accumulation
        return batches[first..<min(first + accumulation, batches.count)]
    }
}
