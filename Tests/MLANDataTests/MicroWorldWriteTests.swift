import Foundation
import Testing
@testable import MLANData

@Suite struct MicroWorldWriteTests {
    static func temporaryFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mlan-world-\(name)-\(UUID().uuidString)")
    }

    /// Every regular file under `root`, by relative path, with its bytes.
    static func files(under root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let keys: Set<URLResourceKey> = [.isRegularFileKey]
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: Array(keys)))
        for case let url as URL in enumerator where try url.resourceValues(forKeys: keys).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            files[relative] = try Data(contentsOf: url)
        }
        return files
    }

    @Test func sameSeedWritesIdenticalBytesAndAnotherSeedDiffers() throws {
        let a = Self.temporaryFolder("a"), b = Self.temporaryFolder("b"), c = Self.temporaryFolder("c")
        defer { for url in [a, b, c] { try? FileManager.default.removeItem(at: url) } }
        try MicroWorld(seed: 5).write(to: a, counts: .tiny)
        try MicroWorld(seed: 5).write(to: b, counts: .tiny)
        try MicroWorld(seed: 6).write(to: c, counts: .tiny)
        let first = try Self.files(under: a), second = try Self.files(under: b), third = try Self.files(under: c)
        // 8 captions + 4 probe captions + 5 trained clusters x 6 + 8 clusters x 4 vision images; JSON: captions,
        // probe captions, 5 generic + 10 scene training files, 16 evaluation files, their 16 task definitions, the
        // pretraining instructions, world.json
        #expect(first.keys.filter { $0.hasSuffix(".png") }.count == 8 + 4 + 30 + 32)
        #expect(first.keys.filter { $0.hasSuffix(".json") }.count == 1 + 1 + 15 + 16 + 16 + 1 + 1)
        #expect(first.keys.filter { $0.hasSuffix(".jsonl") }.count == 16)
        #expect(first == second)
        #expect(Set(first.keys) == Set(third.keys))
        let differing = first.keys.filter { first[$0] != third[$0] }
        #expect(differing.count > first.count / 2)
    }

    @Test func writtenFilesMatchTheInMemoryWorldAndReadBackAsValidDatasets() throws {
        let root = Self.temporaryFolder("read")
        defer { try? FileManager.default.removeItem(at: root) }
        let world = MicroWorld(seed: 42)
        let manifest = try world.write(to: root, counts: .tiny)
        #expect(try MicroWorldManifest.load(from: root.appendingPathComponent("world.json")) == manifest)
        let options = DatasetReadOptions(imageRoot: root)  // every image path must exist
        for file in manifest.files {
            let load = try InstructionDataset.load(from: root.appendingPathComponent(file.path), options: options)
            let split = try #require(MicroWorld.Split(rawValue: file.split))
            let modality = try #require(MicroModality(rawValue: file.modality))
            guard let cluster = MicroTaskCluster(rawValue: file.taskCluster) else {
                let format = try #require(GenericInstruction.formats.first { GenericInstruction.clusterName($0) == file.taskCluster })
                let generic = world.genericInstructions(format, count: file.records)
                #expect(load.records.map(\.id) == generic.map(\.id) && split == .train)
                #expect(load.records.map { $0.turns.map(\.text) } == generic.map { $0.turns.map(\.text) })
                continue
            }
            let examples = world.examples(cluster, modality: modality, split: split, count: file.records)
            #expect(load.records.count == file.records && load.skipped.isEmpty)
            #expect(load.records.map(\.id) == examples.map(\.id))
            #expect(load.records.map { $0.turns.map(\.text) } == examples.map { [$0.prompt, $0.answer] })
            #expect(load.records.allSatisfy { $0.isMultimodal == (modality == .vision) })
            for example in examples where modality == .vision {
                let image = try ImageDecoder.decodePNG(contentsOf: root.appendingPathComponent(example.image!))
                #expect(image == world.renderer.render(example.scene))
            }
        }
        let captions = try InstructionDataset.load(from: root.appendingPathComponent("captions.json"), options: options)
        #expect(captions.records.count == 8)
        for (record, pair) in zip(captions.records, world.captions(count: 8)) {
            #expect(record.turns[1].text == SceneDescriber.caption(pair.scene) && record.images == pair.record.images)
        }
        let corpus = try String(contentsOf: root.appendingPathComponent("corpus.txt"), encoding: .utf8)
        #expect(corpus == world.corpus(scenes: 8).joined(separator: "\n") + "\n")
    }

    @Test func heldOutClustersNeverAppearInTrainingFiles() throws {
        let root = Self.temporaryFolder("held")
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = try MicroWorld(seed: 1).write(to: root, counts: .tiny)
        #expect(manifest.heldOutClusters == ["existence", "multiple_choice", "boolean_statement"])
        #expect(manifest.trainingClusters == ["generic_yes_no", "generic_letter", "generic_true_false", "generic_word",
                                              "generic_number", "counting", "attribute", "spatial", "comparison", "short_answer"])
        #expect(manifest.trainingFiles.count == 15 && manifest.evaluationFiles.count == 16)
        #expect(manifest.trainingFiles.allSatisfy { !$0.heldOut && manifest.trainingClusters.contains($0.taskCluster) })
        let trainFolder = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("train").path)
        for cluster in MicroTaskCluster.heldOut { #expect(!trainFolder.contains { $0.hasPrefix(cluster.rawValue) }) }
        // No held-out prompt format slips into a training record.
        for source in try manifest.trainingSources(in: root) {
            for record in source.records {
                let prompt = record.turns[0].text
                #expect(!MicroPrompt.containsHeldOutInstruction(prompt))
            }
        }
    }

    @Test func trainingSourcesBuildMixturesWhoseManifestsProveTheHeldOutClustersUnseen() throws {
        let root = Self.temporaryFolder("mix")
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = try MicroWorld(seed: 2).write(to: root, counts: .tiny)
        let language = try manifest.trainingSources(in: root, modality: .language)
        #expect(language.map(\.name) == (GenericInstruction.formats.map(GenericInstruction.clusterName) + MicroTaskCluster.trained.map(\.rawValue))
            .map { "\($0)_language" })
        let all = try manifest.trainingSources(in: root)
        let mixture = try Mixture.build(name: "micro_mlan_v", sources: all,
                                        plan: .modalities(languageFraction: 0.5, total: 40), seed: 42)
        #expect(mixture.manifest.language == 20 && mixture.manifest.vision == 20)
        for file in manifest.evaluationFiles {
            #expect(mixture.manifest.isHeldOut(dataset: file.dataset, taskCluster: file.taskCluster) == file.heldOut)
        }
    }

    @Test func anUnrelatedFolderIsNeverReplacedButAnOldWorldIs() throws {
        let root = Self.temporaryFolder("keep")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: root.appendingPathComponent("notes.txt"))
        #expect(throws: MicroWorldError.directoryNotEmpty(path: root.path)) {
            try MicroWorld().write(to: root, counts: .tiny)
        }
        #expect(try Data(contentsOf: root.appendingPathComponent("notes.txt")) == Data("mine".utf8))
        try FileManager.default.removeItem(at: root)
        try MicroWorld(seed: 1).write(to: root, counts: .tiny)
        let small = MicroWorldCounts(captions: 2, corpusScenes: 1, trainPerCluster: 1, evalPerCluster: 1)
        let manifest = try MicroWorld(seed: 1).write(to: root, counts: small)
        #expect(try MicroWorldManifest.load(from: root.appendingPathComponent("world.json")) == manifest)
        let pngs = try Self.files(under: root).keys.filter { $0.hasSuffix(".png") }
        #expect(pngs.count == 2 + 1 + 5 + 8)  // nothing stale from the larger world
        let siblings = try FileManager.default.contentsOfDirectory(atPath: root.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.hasPrefix(".\(root.lastPathComponent).") })  // no staging folder left
    }

    @Test func invalidCountsAndUnreadableManifestsAreReported() throws {
        let bad = MicroWorldCounts(captions: 1, corpusScenes: 1, trainPerCluster: 0, evalPerCluster: 1)
        let invalid = MicroWorldError.invalidCount(field: "trainPerCluster", value: 0, reason: "must lie in 1...1000000")
        #expect(throws: invalid) {
            try MicroWorld().write(to: Self.temporaryFolder("never"), counts: bad)
        }
        let root = Self.temporaryFolder("manifest")
        defer { try? FileManager.default.removeItem(at: root) }
        try MicroWorld().write(to: root, counts: .tiny)
        let url = root.appendingPathComponent("world.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "mlan-microworld/1", with: "mlan-microworld/0")
            .write(to: url, atomically: true, encoding: .utf8)
        let reason = "format \"mlan-microworld/0\", expected \"mlan-microworld/1\""
        #expect(throws: MicroWorldError.unreadableManifest(file: url.path, reason: reason)) {
            try MicroWorldManifest.load(from: url)
        }
    }

    @Test func theDemoWorldListsOnlyFilesItWroteWithTheirRecordCounts() throws {
        let root = Self.temporaryFolder("demo-counts")
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = try MicroWorld(seed: 42).write(to: root, counts: .demo)
        #expect(!manifest.files.isEmpty)
        for file in manifest.files {
            let records = try InstructionDataset.load(from: root.appendingPathComponent(file.path)).records
            #expect(records.count == file.records, "\(file.path)")
        }
    }
}
