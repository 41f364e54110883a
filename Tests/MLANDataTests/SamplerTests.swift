import Testing
@testable import MLANData

@Suite struct SamplerTests {
    static func dataset(count: Int, visionShare: Int, seed: UInt64) -> (lengths: [Int], vision: [Bool]) {
        var rng = SplitMix64(seed: seed)
        let vision = (0..<count).map { _ in rng.nextInt(below: 100) < visionShare }
        let lengths = vision.map { $0 ? 600 + rng.nextInt(below: 400) : 20 + rng.nextInt(below: 500) }
        return (lengths, vision)
    }

    @Test(arguments: [(1000, 30, 8), (97, 12, 5), (64, 0, 8), (50, 100, 7), (3, 50, 4)])
    func everyIndexOnceAndEveryBatchOneModality(count: Int, visionShare: Int, batchSize: Int) throws {
        let (lengths, vision) = Self.dataset(count: count, visionShare: visionShare, seed: UInt64(count))
        let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: vision, batchSize: batchSize,
                                                groupSize: 4, seed: 42)
        let batches = sampler.batches(epoch: 0)
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<count))
        #expect(batches.allSatisfy { batch in Set(batch.map { vision[$0] }).count == 1 })
        let partial = batches.indices.filter { batches[$0].count != batchSize }
        #expect(partial.count <= 2)
        #expect(partial.allSatisfy { $0 >= batches.count - partial.count }, "partial batches come last")
        #expect(Set(partial.map { vision[batches[$0][0]] }).count == partial.count, "at most one per modality")
    }

    @Test func sameSeedAndEpochGiveTheSameBatchesAndOthersDiffer() throws {
        let (lengths, vision) = Self.dataset(count: 400, visionShare: 20, seed: 1)
        let make = { (seed: UInt64) in
            try ModalityLengthSampler(lengths: lengths, isMultimodal: vision, batchSize: 8, seed: seed)
        }
        #expect(try make(42).batches(epoch: 0) == make(42).batches(epoch: 0))
        #expect(try make(42).batches(epoch: 0) != make(42).batches(epoch: 1))
        #expect(try make(42).batches(epoch: 0) != make(43).batches(epoch: 0))
    }

    @Test func batchesInAGroupHoldNeighbouringLengths() throws {
        let (lengths, vision) = Self.dataset(count: 256, visionShare: 0, seed: 2)
        let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: vision, batchSize: 8, groupSize: 4, seed: 0)
        let batches = sampler.lengthGroupedBatches(Array(0..<256))
        for group in stride(from: 0, to: batches.count, by: 4) {
            for k in group..<(group + 3) {
                let shortestHere = batches[k].map { lengths[$0] }.min() ?? 0
                let longestNext = batches[k + 1].map { lengths[$0] }.max() ?? 0
                #expect(shortestHere >= longestNext)
            }
        }
    }

    /// Each optimizer step (`groupSize` consecutive batches) is one length-sorted group of one modality, and the
    /// steps come in a shuffled order, not sorted by length across the epoch.
    @Test func everyStepIsOneSortedGroupAndStepsAreShuffled() throws {
        let (lengths, vision) = Self.dataset(count: 1000, visionShare: 30, seed: 5)
        let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: vision, batchSize: 8, groupSize: 3, seed: 7)
        let batches = sampler.batches()
        let visionGroups = vision.filter { $0 }.count / 24, languageGroups = vision.filter { !$0 }.count / 24
        let steps = stride(from: 0, to: (visionGroups + languageGroups) * 3, by: 3).map { Array(batches[$0..<($0 + 3)]) }
        for step in steps {
            let members = step.flatMap { $0 }
            #expect(Set(members.map { vision[$0] }).count == 1)
            #expect(members.map { lengths[$0] } == members.map { lengths[$0] }.sorted(by: >))
        }
        let longest = steps.map { lengths[$0[0][0]] }
        #expect(longest != longest.sorted(by: >) && longest != longest.sorted())
        #expect(Set(steps.map { vision[$0[0][0]] }).count == 2)
    }

    @Test func oneGroupSortsTheWholeModalityByLength() throws {
        let (lengths, vision) = Self.dataset(count: 120, visionShare: 40, seed: 3)
        let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: vision, batchSize: 10,
                                                groupSize: 1000, seed: 9)
        for batch in sampler.batches() {
            let modality = vision[batch[0]]
            let sorted = vision.indices.filter { vision[$0] == modality }.sorted {
                lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1
            }
            let position = try #require(sorted.firstIndex(of: batch[0]))
            #expect(Array(sorted[position..<min(position + batch.count, sorted.count)]) == batch)
        }
    }

    @Test func dropLastLeavesOnlyFullBatches() throws {
        let (lengths, vision) = Self.dataset(count: 101, visionShare: 30, seed: 4)
        let sampler = try ModalityLengthSampler(lengths: lengths, isMultimodal: vision, batchSize: 8, seed: 1, dropLast: true)
        let batches = sampler.batches()
        #expect(batches.allSatisfy { $0.count == 8 })
        let languageCount = vision.filter { !$0 }.count, visionCount = vision.filter { $0 }.count
        #expect(batches.count == languageCount / 8 + visionCount / 8)
    }

    @Test func lengthsAndModalitiesMustHaveTheSameCount() {
        #expect(throws: BatchError.countMismatch(lengths: 2, modalities: 3)) {
            try ModalityLengthSampler(lengths: [1, 2], isMultimodal: [true, false, true], batchSize: 2, seed: 0)
        }
    }
}
