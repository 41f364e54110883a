import Foundation
import MLANData

/// What decides a training run's trajectory, hashed: its examples in order (ids, tokens, targets, images), the
/// collator's padding and truncation, the names of the trained parameters, and every setting but the logging and
/// checkpoint cadence. Each checkpoint carries it, so a resume on other examples or settings is refused instead of
/// silently mixing two runs.
struct RunFingerprint: Equatable, CustomStringConvertible {
    let value: UInt64

    init(config: TrainConfig, examples: [Example], collator: Collator, trained: [String]) {
        var hash = FNV1a()
        for name in trained { hash.mix(name.utf8); hash.mix([0]) }
        var settings = config
        (settings.logEvery, settings.checkpointEvery, settings.keepCheckpoints) = (0, 0, 0)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        hash.mix((try? encoder.encode(settings)) ?? Data())
        for number in [collator.padID, collator.maxLength ?? -1, collator.imagePlaceholder ?? Int.min, collator.imageTokenCount] {
            hash.mix(UInt64(bitPattern: Int64(number)))
        }
        for example in examples {
            hash.mix(example.id.utf8)
            hash.mix(UInt64(example.tokens.ids.count))
            for (id, isTarget) in zip(example.tokens.ids, example.tokens.isTarget) {
                hash.mix(UInt64(bitPattern: Int64(id)) << 1 | (isTarget ? 1 : 0))
            }
            for image in example.images { hash.mix(image.utf8); hash.mix([0]) }
            hash.mix(UInt64(example.images.count))
        }
        value = hash.value
    }

    init?(_ text: String) {
        guard let value = UInt64(text, radix: 16) else { return nil }
        self.value = value
    }

    var description: String { String(format: "%016llx", value) }
}
