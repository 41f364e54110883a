import Foundation

extension MicroWorld {
    /// Writes the whole world into `directory` and returns its manifest:
    ///
    /// ```
    /// world.json                          manifest (seed, counts, clusters, held-out list, every file)
    /// corpus.txt                          stage 0: one document per line
    /// lookups.txt                         stage 0's warm-up: lookup lines, then judgement lines, when
    ///                                     `lookupScenes` or `judgementScenes` is positive
    /// captions.json                       stage 1: LLaVA JSON, "<image>\nDescribe the image briefly." → caption
    /// eval/captions.json                  `evalPerCluster` captions of new scenes, to check that stage 1 aligned
    /// train/{cluster}_{modality}.json     trained clusters, language and vision apart (LLaVA JSON)
    /// eval/{cluster}_{modality}.json      every cluster, held out or not (LLaVA JSON)
    /// pretrain_instructions.json          stage 0: generic instructions in every answer format, then the
    ///                                     conjunction lookups (LLaVA JSON)
    /// warmup_instructions.json            stage 0's warm-up: generic instructions, when `warmupInstructions` is
    ///                                     positive (LLaVA JSON)
    /// train/generic_{format}_language.json  generic instructions for stage-2 language mixtures
    /// control/{cluster}_{modality}.json   held-out clusters' training examples for a positive control, when
    ///                                     `controlPerCluster` is positive (never in a training mixture otherwise)
    /// tasks/{cluster}_{modality}.json(l)  each evaluation file as an MLANEval task definition and its documents
    /// images/{captions,train,eval}/*.png  one image per caption and per vision example
    /// ```
    ///
    /// The world is built in a temporary sibling folder and renamed into place, so `directory` is either the old
    /// world or the complete new one. An existing `directory` is replaced only if it is empty or holds a
    /// `world.json`. The same seed, image size and counts give byte-identical files.
    /// - Throws: `MicroWorldError.invalidCount`, `.directoryNotEmpty`, or `.writeFailed` naming the file.
    @discardableResult
    public func write(to directory: URL, counts: MicroWorldCounts = .demo) throws -> MicroWorldManifest {
        try counts.validate()
        let fileManager = FileManager.default
        let staging = directory.deletingLastPathComponent()
            .appendingPathComponent(".\(directory.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try createFolder(staging)
            let manifest = try writeContents(to: staging, counts: counts)
            try replace(directory, with: staging)
            return manifest
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    /// Writes every file into `root` (a fresh folder).
    private func writeContents(to root: URL, counts: MicroWorldCounts) throws -> MicroWorldManifest {
        for split in ["captions"] + Split.allCases.map(\.rawValue) {
            try createFolder(root.appendingPathComponent("images/\(split)"))
        }
        for split in Split.allCases { try createFolder(root.appendingPathComponent(split.rawValue)) }

        let corpusText = corpus(scenes: counts.corpusScenes).joined(separator: "\n") + "\n"
        try writeData(Data(corpusText.utf8), to: root.appendingPathComponent(Self.corpusFile))
        if lookupScenes + judgementScenes > 0 {
            let lines = lookups(scenes: lookupScenes) + judgements(scenes: judgementScenes)
            let lookupText = lines.joined(separator: "\n") + "\n"
            try writeData(Data(lookupText.utf8), to: root.appendingPathComponent(Self.lookupsFile))
        }

        let captionPairs = captions(count: counts.captions)
        for (scene, record) in captionPairs { try render(scene, to: root.appendingPathComponent(record.images[0])) }
        try writeRecords(captionPairs.map(\.record), to: root.appendingPathComponent(Self.captionsFile))

        let probePairs = probeCaptions(count: counts.evalPerCluster)
        for (scene, record) in probePairs { try render(scene, to: root.appendingPathComponent(record.images[0])) }
        try writeRecords(probePairs.map(\.record), to: root.appendingPathComponent(Self.probeCaptionsFile))

        var pretrain = pretrainInstructions(count: counts.corpusScenes)
        pretrain += conjunctionLookupRecords(count: conjunctionLookups, firstIndex: pretrain.count)
        try writeRecords(pretrain, to: root.appendingPathComponent(Self.pretrainInstructionsFile))
        if warmupInstructions > 0 {
            try writeRecords(warmupInstructionRecords(count: warmupInstructions),
                             to: root.appendingPathComponent(Self.warmupInstructionsFile))
        }
        try createFolder(root.appendingPathComponent("tasks"))

        var files: [MicroWorldManifest.TaskFile] = []
        for format in GenericInstruction.formats {
            let path = Self.genericFilePath(format)
            let records = genericInstructions(format, count: counts.trainPerCluster)
            try writeRecords(records, to: root.appendingPathComponent(path))
            let cluster = GenericInstruction.clusterName(format)
            files.append(MicroWorldManifest.TaskFile(
                name: "\(cluster)_language", split: Split.train.rawValue, dataset: "microworld_\(cluster)",
                taskCluster: cluster, modality: MicroModality.language.rawValue, path: path, records: records.count,
                heldOut: false))
        }
        for split in Split.allCases {
            let clusters = split == .train ? MicroTaskCluster.trained : MicroTaskCluster.allCases
            let count = split == .train ? counts.trainPerCluster : counts.evalPerCluster
            for cluster in clusters {
                for modality in MicroModality.allCases {
                    let path = Self.taskFilePath(cluster, modality: modality, split: split)
                    let examples = self.examples(cluster, modality: modality, split: split, count: count)
                    for example in examples {
                        guard let image = example.image else { continue }
                        try render(example.scene, to: root.appendingPathComponent(image))
                    }
                    let records = examples.enumerated().map { $1.record(file: path, index: $0) }
                    try writeRecords(records, to: root.appendingPathComponent(path))
                    var definition: String?
                    if split == .eval {
                        let taskPath = Self.taskDefinitionPath(cluster, modality: modality)
                        try writeJSON(Self.taskDefinition(cluster, modality: modality), to: root.appendingPathComponent(taskPath))
                        let documentsURL = root.appendingPathComponent(String(taskPath.dropLast(".json".count)) + ".jsonl")
                        let lines: [String]
                        do { lines = try examples.map { try Self.taskDocument($0).jsonString() } } catch {
                            throw MicroWorldError.writeFailed(file: documentsURL.path, reason: String(describing: error))
                        }
                        try writeData(Data((lines.joined(separator: "\n") + "\n").utf8), to: documentsURL)
                        definition = taskPath
                    }
                    files.append(MicroWorldManifest.TaskFile(
                        name: "\(cluster.rawValue)_\(modality.rawValue)", split: split.rawValue,
                        dataset: Self.datasetName(cluster, modality: modality), taskCluster: cluster.rawValue,
                        modality: modality.rawValue, path: path, records: records.count, heldOut: cluster.isHeldOut,
                        taskDefinition: definition))
                }
            }
        }
        if controlPerCluster > 0 { files += try writeControlFiles(to: root) }

        let manifest = MicroWorldManifest(
            format: MicroWorldManifest.formatTag, seed: seed, imageSize: imageSize, counts: counts,
            clusters: MicroTaskCluster.allCases.map {
                MicroWorldManifest.Cluster(name: $0.rawValue, heldOut: $0.isHeldOut,
                                           answerFormat: $0.answerFormat.rawValue, analogue: $0.analogue)
            },
            trainingClusters: GenericInstruction.formats.map(GenericInstruction.clusterName) + MicroTaskCluster.trained.map(\.rawValue),
            heldOutClusters: MicroTaskCluster.heldOut.map(\.rawValue),
            corpus: Self.corpusFile, captions: Self.captionsFile, probeCaptions: Self.probeCaptionsFile, imageRoot: ".",
            files: files,
            instructions: Self.pretrainInstructionsFile, lookups: lookupScenes + judgementScenes > 0 ? Self.lookupsFile : nil,
            warmupInstructions: warmupInstructions > 0 ? Self.warmupInstructionsFile : nil)
        try writeData(try manifest.jsonData(), to: root.appendingPathComponent(MicroWorldManifest.fileName))
        return manifest
    }

    /// Writes the positive control's training files, `control/{cluster}_{modality}.json` for every held-out cluster
    /// (``controlExamples(_:modality:count:)``), and returns their manifest entries (split `control`). Each reply is
    /// ``controlReply(_:)``, a form the evaluation scores.
    private func writeControlFiles(to root: URL) throws -> [MicroWorldManifest.TaskFile] {
        try createFolder(root.appendingPathComponent(Self.controlSplit))
        try createFolder(root.appendingPathComponent("images/\(Self.controlSplit)"))
        return try MicroTaskCluster.heldOut.flatMap { cluster in
            try MicroModality.allCases.map { modality in
                let path = "\(Self.controlSplit)/\(cluster.rawValue)_\(modality.rawValue).json"
                let examples = controlExamples(cluster, modality: modality, count: controlPerCluster)
                for example in examples {
                    if let image = example.image { try render(example.scene, to: root.appendingPathComponent(image)) }
                }
                let records = examples.enumerated().map { index, example in
                    var record = example.record(file: path, index: index)
                    record.turns[1].text = Self.controlReply(example)
                    return record
                }
                try writeRecords(records, to: root.appendingPathComponent(path))
                return MicroWorldManifest.TaskFile(
                    name: "\(cluster.rawValue)_\(modality.rawValue)", split: Self.controlSplit,
                    dataset: Self.datasetName(cluster, modality: modality), taskCluster: cluster.rawValue,
                    modality: modality.rawValue, path: path, records: examples.count, heldOut: true)
            }
        }
    }

    /// A positive control's reply to `example`, in a form the evaluation scores: the format's assistant prefill, the
    /// answer and the closing quote (`The best answer is "yes".`). A multiple-choice reply names the right option's
    /// text (`The answer is "yellow".`), which the protocol maps to its letter: reaching the letter is a second
    /// lookup that the micro Llama does not learn (Docs/RECIPE.md, "What the micro Llama learns alone").
    public static func controlReply(_ example: MicroExample) -> String {
        var answer = example.answer
        if case .choice(let inner, _) = example.query, let text = inner.answer(in: example.scene) { answer = text }
        return assistantPrefill(example.cluster.answerFormat) + answer + "\"."
    }

    /// Moves `staging` to `directory`, first removing an old world (or an empty folder) there.
    private func replace(_ directory: URL, with staging: URL) throws {
        let fileManager = FileManager.default
        var isFolder: ObjCBool = false
        if fileManager.fileExists(atPath: directory.path, isDirectory: &isFolder) {
            let contents = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
            guard isFolder.boolValue, contents.isEmpty || contents.contains(MicroWorldManifest.fileName) else {
                throw MicroWorldError.directoryNotEmpty(path: directory.path)
            }
            do { try fileManager.removeItem(at: directory) } catch {
                throw MicroWorldError.writeFailed(file: directory.path, reason: "cannot remove the old world: \(InputFile.reason(for: error))")
            }
        }
        guard rename(staging.path, directory.path) == 0 else {
            throw MicroWorldError.writeFailed(file: directory.path, reason: String(cString: strerror(errno)))
        }
    }

    private func render(_ scene: Scene, to url: URL) throws {
        let bytes: [UInt8]
        do { bytes = try renderer.render(scene).pngData() } catch {
            throw MicroWorldError.writeFailed(file: url.path, reason: error.description)
        }
        try writeData(Data(bytes), to: url)
    }

    private func writeJSON(_ value: JSONValue, to url: URL) throws {
        do { try writeData(Data(try value.jsonString(pretty: true).utf8) + Data("\n".utf8), to: url) } catch let error as MicroWorldError {
            throw error
        } catch {
            throw MicroWorldError.writeFailed(file: url.path, reason: String(describing: error))
        }
    }

    private func writeRecords(_ records: [InstructionRecord], to url: URL) throws {
        do { try JSONDataset.write(records, to: url) } catch {
            throw MicroWorldError.writeFailed(file: url.path, reason: String(describing: error))
        }
    }

    /// Writes a file of the staging folder with plain POSIX calls: the folder as a whole is renamed into place,
    /// so files need no atomicity of their own, and Foundation's `Data.write` costs ~5 ms a file on Linux.
    private func writeData(_ data: Data, to url: URL) throws {
        if let reason = writeFile(url.path, data) { throw MicroWorldError.writeFailed(file: url.path, reason: reason) }
    }

    private func createFolder(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw MicroWorldError.writeFailed(file: url.path, reason: InputFile.reason(for: error))
        }
    }
}

/// Creates or truncates `path` and writes `data` to it; returns the system's reason on failure.
private func writeFile(_ path: String, _ data: Data) -> String? {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { return String(cString: strerror(errno)) }
    var failure: String?
    data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                failure = String(cString: strerror(errno))
                return
            }
            offset += written
        }
    }
    if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
    return failure
}
