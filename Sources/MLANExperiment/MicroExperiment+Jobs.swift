import Foundation
import MLANData
import MLANTrain

/// A seed's world, tokenizer, stages 0 and 1, untuned scores and aligned weights: what its stage-2 jobs start from.
struct PreparedSeed: @unchecked Sendable {
    var seed: UInt64
    /// `[seed i/n]`, the prefix of the seed's progress lines.
    var tag: String
    /// `OUT/seed-N/`.
    var folder: URL
    var worldURL: URL
    var world: MicroWorldManifest
    var tokenizer: BPETokenizer
    var eos: Int
    var pixels: PixelStore
    var collator: Collator
    /// The micro-world tasks and the real-NLVR task every recipe is scored on.
    var tasks: (world: [ExperimentTask], nlvr: [ExperimentTask]) = ([], [])
    /// The stage-2 mixtures, by name, drawn right after the world was written.
    var mixtures: [String: Mixture] = [:]
    var stages: [StageResult] = []
    /// Every parameter after stage 1, by name.
    var aligned: [String: [Float]] = [:]
    /// The aligned model's caption loss on new scenes with their own and with other images (nil for older worlds).
    var alignment: AlignmentProbe?
    /// The aligned model's scores, as the "none" recipe.
    var untuned = RecipeRun(name: "none", languageFraction: nil, scores: [], training: nil)

    init(seed: UInt64, tag: String, folder: URL, worldURL: URL, world: MicroWorldManifest, tokenizer: BPETokenizer,
         eos: Int, pixels: PixelStore, collator: Collator) {
        self.seed = seed
        self.tag = tag
        self.folder = folder
        self.worldURL = worldURL
        self.world = world
        self.tokenizer = tokenizer
        self.eos = eos
        self.pixels = pixels
        self.collator = collator
    }
}

/// A value one job produces and others wait for: `value()` blocks until `fulfil` has been called.
final class Awaited<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Value, any Error>?

    /// Stores the value (or the error that replaced it) and wakes every waiter.
    func fulfil(_ result: Result<Value, any Error>) {
        condition.lock()
        self.result = result
        condition.broadcast()
        condition.unlock()
    }

    /// The value once fulfilled.
    /// - Throws: the error the producing job threw.
    func value() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return try result!.get()
    }
}
