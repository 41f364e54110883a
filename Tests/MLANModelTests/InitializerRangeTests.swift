import Foundation
import MLANCore
import Testing
@testable import MLANModel

/// `initializer_range` sets the spread of a randomly initialised model's token embeddings and survives a save.
@Suite struct InitializerRangeTests {
    static func embeddingSpread(_ config: LlamaConfig) -> Double {
        var rng = SplitMix64(seed: 3)
        let values = LlamaForCausalLM(config, rng: &rng).model.embedTokens.weight.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }

    @Test func theEmbeddingsSpreadAsTheConfigSays() throws {
        var config = LlamaConfig.tiny  // 128 × 32 embeddings: a spread estimate within about 2 %
        #expect(config.initializerRange == 0.02)
        #expect(abs(Self.embeddingSpread(config) / 0.02 - 1) < 0.08)
        config.initializerRange = 0.09
        #expect(abs(Self.embeddingSpread(config) / 0.09 - 1) < 0.08)
    }

    @Test func theFieldIsReadWrittenAndChecked() throws {
        let json = #"{\#(ConfigRejectionTests.llama(["initializer_range": "0.0884"]))}"#
        var config = try JSONDecoder().decode(LlamaConfig.self, from: Data(json.utf8))
        #expect(config.initializerRange == 0.0884)
        let written = try JSONDecoder().decode(LlamaConfig.self, from: JSONEncoder().encode(config))
        #expect(written.initializerRange == 0.0884)
        config.initializerRange = 0
        #expect(config.inconsistency?.hasPrefix("initializer_range 0.0") == true)
    }
}
