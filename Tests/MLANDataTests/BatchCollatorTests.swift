import Testing
@testable import MLANData

@Suite struct BatchCollatorTests {
    static let image = 99

    static func example(_ id: String, _ ids: [Int], targets: [Bool]? = nil, images: [String] = []) -> Example {
        Example(id: id, tokens: TokenizedExample(ids: ids, isTarget: targets ?? ids.map { _ in true }), images: images)
    }

    @Test func padsRightMasksPaddingAndWritesMinus100Labels() throws {
        let collator = Collator(padID: 0)
        let batch = try collator.collate([
            Self.example("a", [5, 6, 7], targets: [false, true, true]),
            Self.example("b", [8, 9, 10, 11, 12], targets: [false, false, false, true, true]),
        ])
        #expect(batch.inputIDs == [[5, 6, 7, 0, 0], [8, 9, 10, 11, 12]])
        #expect(batch.attentionMask == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
        #expect(batch.isTarget == [[false, true, true, false, false], [false, false, false, true, true]])
        #expect(batch.labels == [[-100, 6, 7, -100, -100], [-100, -100, -100, 11, 12]])
        #expect(batch.lengths == [3, 5] && batch.paddedLength == 5 && batch.count == 2)
        #expect(batch.truncations == [nil, nil] && batch.exampleIDs == ["a", "b"])
    }

    @Test func keepsEachExamplesImagesInPlaceholderOrder() throws {
        let collator = Collator(padID: 0, imagePlaceholder: Self.image)
        let batch = try collator.collate([
            Self.example("v", [1, Self.image, 2, Self.image], images: ["a.png", "b.png"]),
            Self.example("t", [3, 4]),
        ])
        #expect(batch.images == [["a.png", "b.png"], []])
    }

    @Test func truncationCutsTextAtMaxLength() throws {
        let collator = Collator(padID: 0, maxLength: 4)
        let (kept, truncation) = try collator.truncate(Self.example("a", [1, 2, 3, 4, 5, 6], targets: [false, false, true, true, true, true]))
        #expect(kept.tokens.ids == [1, 2, 3, 4] && kept.tokens.isTarget == [false, false, true, true])
        #expect(truncation == Truncation(originalLength: 6, keptLength: 4, droppedImages: 0, remainingTargets: 2))
    }

    @Test func truncationDropsAnImageThatDoesNotFitWhole() throws {
        // The image takes 5 positions: with room for 4, the cut moves before its placeholder.
        let collator = Collator(padID: 0, maxLength: 4, imagePlaceholder: Self.image, imageTokenCount: 5)
        let (kept, truncation) = try collator.truncate(Self.example("a", [1, Self.image, 2, 3], images: ["x.png"]))
        #expect(kept.tokens.ids == [1] && kept.images.isEmpty)
        #expect(truncation?.droppedImages == 1)
    }

    @Test func truncationKeepsAnImageThatFitsWhole() throws {
        let collator = Collator(padID: 0, maxLength: 6, imagePlaceholder: Self.image, imageTokenCount: 5)
        let (kept, truncation) = try collator.truncate(Self.example("a", [1, Self.image, 2, 3], images: ["x.png"]))
        #expect(kept.tokens.ids == [1, Self.image] && kept.images == ["x.png"])
        // Both kept tokens are marked, but token 0 is never predicted: one target remains.
        #expect(truncation == Truncation(originalLength: 4, keptLength: 2, droppedImages: 0, remainingTargets: 1))
    }

    @Test func truncatedPrefixIsTheLongestThatFitsAndNeverSplitsAnImage() throws {
        var rng = SplitMix64(seed: 21)
        for trial in 0..<300 {
            let length = 1 + rng.nextInt(below: 40)
            let ids = (0..<length).map { _ in rng.nextInt(below: 6) == 0 ? Self.image : 1 + rng.nextInt(below: 50) }
            let images = ids.filter { $0 == Self.image }.indices.map { "img\($0).png" }
            let imageCost = 1 + rng.nextInt(below: 8), maxLength = 1 + rng.nextInt(below: 50)
            let collator = Collator(padID: 0, maxLength: maxLength, imagePlaceholder: Self.image, imageTokenCount: imageCost)
            let example = Self.example("t\(trial)", ids, images: images)
            let (kept, _) = try collator.truncate(example)
            let used = kept.modelLength(imagePlaceholder: Self.image, imageTokenCount: imageCost)
            #expect(used <= maxLength)
            #expect(Array(ids.prefix(kept.tokens.ids.count)) == kept.tokens.ids)
            #expect(kept.images == Array(images.prefix(kept.tokens.ids.filter { $0 == Self.image }.count)))
            if kept.tokens.ids.count < ids.count {
                let next = ids[kept.tokens.ids.count] == Self.image ? imageCost : 1
                #expect(used + next > maxLength, "trial \(trial): the next token would still have fit")
            }
        }
    }

    @Test func placeholderAndImageCountsMustAgree() {
        let collator = Collator(padID: 0, imagePlaceholder: Self.image)
        #expect(throws: BatchError.imageCountMismatch(example: "a", placeholders: 1, images: 0)) {
            try collator.collate([Self.example("a", [1, Self.image])])
        }
    }

    @Test func supervisedTargetsSkipTheFirstTokenAndPadding() throws {
        // Row a: token 0 is marked but never predicted, so 2 targets; row b: 1 target; padding adds none.
        let batch = try Collator(padID: 0).collate([
            Self.example("a", [5, 6, 7], targets: [true, true, true]),
            Self.example("b", [8, 9, 10, 11, 12], targets: [false, false, false, false, true]),
        ])
        #expect(batch.supervisedTargetCount(row: 0) == 2 && batch.supervisedTargetCount(row: 1) == 1)
        #expect(batch.supervisedTargetCount == 3)
        #expect(TokenizedExample(ids: [1, 2, 3], isTarget: [true, false, true]).supervisedTargetCount == 1)
    }

    @Test func emptyBatchIsAnError() {
        #expect(throws: BatchError.emptyBatch) { try Collator(padID: 0).collate([]) }
    }
}
