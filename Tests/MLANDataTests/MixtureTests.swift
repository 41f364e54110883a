import Foundation
import MLANTestSupport
import Testing
@testable import MLANData

@Suite struct MixtureTests {
    static func alpaca() throws -> MixtureSource {
        try MixtureSource.load(name: "alpaca_small", dataset: "alpaca", taskCluster: "open-ended generation",
                               from: SharedPaths.dataFile("alpaca/alpaca_small.json")).source
    }

    static func scienceQA() throws -> MixtureSource {
        try MixtureSource.load(name: "scienceqa", dataset: "scienceqa", taskCluster: "science QA",
                               from: SharedPaths.dataFile("scienceqa/llava_test_CQM-A.json"),
                               imagePrefix: "scienceqa/images/test/").source
    }

    @Test func splitMixMatchesItsReferenceSequence() {
        var rng = SplitMix64(seed: 0)
        #expect([rng.next(), rng.next(), rng.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func shuffleAndSampleArePermutationsAndDistinct() {
        var rng = SplitMix64(seed: 5)
        var values = Array(0..<100)
        rng.shuffle(&values)
        #expect(values.sorted() == Array(0..<100) && values != Array(0..<100))
        let sample = rng.sample(Array(0..<100), count: 30)
        #expect(Set(sample).count == 30)
        #expect((0..<1000).allSatisfy { _ in (0..<7).contains(rng.nextInt(below: 7)) })
    }

    @Test func apportionSplitsTotalsExactlyByLargestRemainder() {
        #expect(MixturePlan.apportion(10, weights: [1, 1, 1]) == [4, 3, 3])
        #expect(MixturePlan.apportion(80_000, weights: [0.875, 0.125]) == [70_000, 10_000])
        #expect(MixturePlan.apportion(7, weights: [0.5, 0.25, 0.25]) == [3, 2, 2])  // 3.5, 1.75, 1.75: .75s win
    }

    @Test func mlanVForLlama2TakesSevenEighthsLanguage() throws {
        let mixture = try Mixture.build(name: "MLAN_v", sources: [Self.alpaca(), Self.scienceQA()],
                                        plan: .mlanVLlama2(total: 800), seed: 42)
        #expect(mixture.records.count == 800)
        #expect(mixture.records.filter(\.isMultimodal).count == 100)
        #expect(mixture.manifest.language == 700 && mixture.manifest.vision == 100)
        let sources = mixture.manifest.sources
        #expect(sources.map(\.chosen).reduce(0, +) == 800)
        #expect(sources[0].vision == 0 && sources[1].vision == 100)
        #expect(mixture.records.filter(\.isMultimodal).allSatisfy { $0.image?.hasPrefix("scienceqa/images/test/") == true })
    }

    @Test func mlanIsLanguageOnly() throws {
        let mixture = try Mixture.build(name: "MLAN", sources: [Self.alpaca(), Self.scienceQA()],
                                        plan: .mlan(total: 500), seed: 42)
        #expect(mixture.records.count == 500 && mixture.records.allSatisfy { !$0.isMultimodal })
    }

    @Test func sameSeedSameMixtureAndAnotherSeedDiffers() throws {
        let sources = [try Self.alpaca(), try Self.scienceQA()]
        let plan = MixturePlan.mlanVVicuna(total: 200)
        let a = try Mixture.build(name: "m", sources: sources, plan: plan, seed: 42)
        let b = try Mixture.build(name: "m", sources: sources, plan: plan, seed: 42)
        let c = try Mixture.build(name: "m", sources: sources, plan: plan, seed: 43)
        #expect(a.records == b.records && a.manifest == b.manifest)
        #expect(a.records.map(\.id) != c.records.map(\.id))
    }

    @Test func countsPlanTakesExactCountsAndAddingASourceKeepsTheOthersDraws() throws {
        let alpaca = try Self.alpaca(), science = try Self.scienceQA()
        let alone = try Mixture.build(name: "m", sources: [alpaca], plan: .counts(["alpaca_small": 50]), seed: 7)
        let both = try Mixture.build(name: "m", sources: [alpaca, science],
                                     plan: .counts(["alpaca_small": 50, "scienceqa": 20]), seed: 7)
        #expect(both.manifest.sources.map(\.chosen) == [50, 20])
        #expect(alone.manifest.sources[0].ids == both.manifest.sources[0].ids)
        let chosen = both.manifest.sources[0]
        #expect(chosen.indices.map { alpaca.records[$0].id } == chosen.ids)
    }

    @Test func ratiosPlanSplitsTheTotal() throws {
        let mixture = try Mixture.build(name: "m", sources: [Self.alpaca(), Self.scienceQA()],
                                        plan: .ratios(["alpaca_small": 3, "scienceqa": 1], total: 10), seed: 1)
        #expect(mixture.manifest.sources.map(\.chosen) == [8, 2])  // 7.5 and 2.5: the tie goes to the first source
    }

    @Test func badPlansFailWithTheirReason() throws {
        let alpaca = try Self.alpaca()
        #expect(throws: MixtureError.unknownSource(name: "nope")) {
            try Mixture.build(name: "m", sources: [alpaca], plan: .counts(["alpaca_small": 1, "nope": 1]), seed: 0)
        }
        #expect(throws: MixtureError.missingAmount(source: "alpaca_small")) {
            try Mixture.build(name: "m", sources: [alpaca], plan: .ratios([:], total: 3), seed: 0)
        }
        #expect(throws: MixtureError.notEnoughRecords(source: "alpaca_small", requested: 2001, available: 2000)) {
            try Mixture.build(name: "m", sources: [alpaca], plan: .counts(["alpaca_small": 2001]), seed: 0)
        }
        #expect(throws: MixtureError.notEnoughRecords(source: "vision pool", requested: 1, available: 0)) {
            try Mixture.build(name: "m", sources: [alpaca], plan: .mlanVVicuna(total: 2), seed: 0)
        }
        #expect(throws: MixtureError.duplicateSource(name: "alpaca_small")) {
            try Mixture.build(name: "m", sources: [alpaca, alpaca], plan: .counts(["alpaca_small": 1]), seed: 0)
        }
        #expect(throws: MixtureError.invalidAmount(source: "languageFraction", value: 1.5)) {
            try Mixture.build(name: "m", sources: [alpaca], plan: .modalities(languageFraction: 1.5, total: 2), seed: 0)
        }
    }

    @Test func manifestNamesTrainedDatasetsAndClustersForHeldOutChecks() throws {
        let mixture = try Mixture.build(name: "MLAN", sources: [Self.alpaca(), Self.scienceQA()],
                                        plan: .counts(["alpaca_small": 10, "scienceqa": 0]), seed: 42)
        let manifest = mixture.manifest
        #expect(manifest.trainedDatasets == ["alpaca"] && manifest.trainedClusters == ["open-ended generation"])
        #expect(manifest.isHeldOut(dataset: "ScienceQA", taskCluster: "science QA"))
        #expect(!manifest.isHeldOut(dataset: "Alpaca"))
        #expect(!manifest.isHeldOut(dataset: "dolly", taskCluster: "open-ended generation"))
    }

    @Test func writeSavesTheMixtureAndItsManifestBesideIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-mix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var mixture = try Mixture.build(name: "MLAN_v", sources: [Self.alpaca(), Self.scienceQA()],
                                        plan: .mlanVVicuna(total: 40), seed: 42)
        mixture.countTokens(imagePlaceholder: -1) { record in
            // One id per word, the image token as the placeholder; the assistant's words are targets.
            var ids: [Int] = [], targets: [Bool] = []
            for turn in record.turns {
                for word in turn.text.split(whereSeparator: \.isWhitespace) {
                    ids.append(word == "<image>" ? -1 : word.count)
                    targets.append(turn.role == .assistant)
                }
            }
            return TokenizedExample(ids: ids, isTarget: targets)
        }
        let url = folder.appendingPathComponent("mlan_v.json")
        try mixture.write(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["mlan_v.json", "mlan_v.manifest.json"])
        let manifest = try MixtureManifest.load(from: Mixture.manifestURL(for: url))
        #expect(manifest == mixture.manifest)
        let totals = try #require(manifest.tokens)
        #expect(totals.examples == 40 && totals.images == 20)
        #expect(manifest.sources.compactMap(\.tokens).map(\.tokens).reduce(0, +) == totals.tokens)
        let reread = try InstructionDataset.load(from: url, options: DatasetReadOptions(imageRoot: SharedPaths.data))
        #expect(reread.records.map(\.id) == mixture.records.map(\.id) && reread.skipped.isEmpty)
    }

    @Test func manifestWithAnotherFormatTagIsRejected() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-man-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var manifest = try Mixture.build(name: "m", sources: [Self.alpaca()], plan: .mlan(total: 3), seed: 1).manifest
        manifest.format = "something-else/9"
        let url = folder.appendingPathComponent("m.manifest.json")
        try manifest.write(to: url)
        let error = #expect(throws: MixtureError.self) { try MixtureManifest.load(from: url) }
        guard case .unreadableManifest(let file, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == url.path)
    }
}
