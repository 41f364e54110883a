import Foundation

/// `world.json`: what a written micro world holds, where each file is, and which clusters are held out.
///
/// Each task file carries the `dataset` and `taskCluster` names a ``MixtureSource`` (and so a
/// ``MixtureManifest``) records, so an evaluator can check a held-out file against a training manifest with
/// ``MixtureManifest/isHeldOut(dataset:taskCluster:)``.
public struct MicroWorldManifest: Sendable, Equatable, Codable {
    /// The manifest layout's version tag.
    public static let formatTag = "mlan-microworld/1"
    /// The manifest's file name inside the world's folder.
    public static let fileName = "world.json"

    /// A task cluster as the manifest lists it.
    public struct Cluster: Sendable, Equatable, Codable {
        /// ``MicroTaskCluster`` raw value, e.g. `"multiple_choice"`; also every file's `taskCluster`.
        public var name: String
        /// True when no training file holds the cluster.
        public var heldOut: Bool
        /// ``MicroAnswerFormat`` raw value, e.g. `"yes_no"`.
        public var answerFormat: String
        /// The paper's datasets it stands in for.
        public var analogue: String
    }

    /// One instruction file (LLaVA JSON) of one cluster in one modality.
    public struct TaskFile: Sendable, Equatable, Codable {
        /// Unique among the files, `"{cluster}_{modality}"` (the name to give its ``MixtureSource``).
        public var name: String
        /// `"train"`, `"eval"`, or `"control"` (a positive control's training files of held-out clusters).
        public var split: String
        /// The dataset's canonical name, `"microworld_{cluster}_{modality}"`.
        public var dataset: String
        /// The cluster's name.
        public var taskCluster: String
        /// `"language"` or `"vision"`.
        public var modality: String
        /// The file's path relative to the world's folder, e.g. `"train/counting_vision.json"`.
        public var path: String
        /// Records in the file.
        public var records: Int
        /// True for files of held-out clusters (only ever in the `eval` and `control` splits).
        public var heldOut: Bool
        /// For evaluation files: the MLANEval task definition that scores it (`"tasks/existence_vision.json"`).
        public var taskDefinition: String? = nil
    }

    /// Always ``formatTag``.
    public var format: String
    /// The seed every draw derives from.
    public var seed: UInt64
    /// The rendered images' size.
    public var imageSize: MicroWorld.ImageSize
    /// The counts the world was written with.
    public var counts: MicroWorldCounts
    /// Every cluster, trained and held out.
    public var clusters: [Cluster]
    /// Names of the clusters training files hold.
    public var trainingClusters: [String]
    /// Names of the clusters that are only evaluated.
    public var heldOutClusters: [String]
    /// The stage-0 corpus, one document per line (`"corpus.txt"`).
    public var corpus: String
    /// The stage-1 image–caption pairs in LLaVA JSON (`"captions.json"`).
    public var captions: String
    /// Captions of new scenes that no stage trains on, for checking alignment (`"eval/captions.json"`); nil in older
    /// worlds.
    public var probeCaptions: String? = nil
    /// The folder every image path is relative to: the world's folder itself (`"."`).
    public var imageRoot: String
    /// Every instruction file, training files first.
    public var files: [TaskFile]
    /// The stage-0 generic instructions in LLaVA JSON (`"pretrain_instructions.json"`); nil in older worlds.
    public var instructions: String? = nil
    /// The stage-0 warm-up's scene lines, lookups then judgements, one per scene (`"lookups.txt"`); nil when the
    /// world has none.
    public var lookups: String? = nil
    /// The stage-0 warm-up's generic instructions in LLaVA JSON (`"warmup_instructions.json"`); nil when the world
    /// has none.
    public var warmupInstructions: String? = nil

    /// The training files (trained clusters only, both modalities).
    public var trainingFiles: [TaskFile] { files.filter { $0.split == MicroWorld.Split.train.rawValue } }

    /// The evaluation files (every cluster, both modalities).
    public var evaluationFiles: [TaskFile] { files.filter { $0.split == MicroWorld.Split.eval.rawValue } }

    /// The positive control's training files (held-out clusters, both modalities); empty unless the world was
    /// written with ``MicroWorld/controlPerCluster`` above 0.
    public var controlFiles: [TaskFile] { files.filter { $0.split == MicroWorld.controlSplit } }

    /// The training files read as mixture sources (named ``TaskFile/name``, with their dataset and cluster),
    /// optionally only those of `modality`. Image paths stay relative to `directory`.
    /// - Throws: `MicroWorldError.unreadableDataset` naming a file that cannot be read or has invalid records.
    public func trainingSources(in directory: URL, modality: MicroModality? = nil) throws -> [MixtureSource] {
        try sources(trainingFiles, in: directory, modality: modality)
    }

    /// The positive control's files read as mixture sources, as ``trainingSources(in:modality:)`` reads the training
    /// files. A mixture of them trains on held-out clusters: an evaluator must show those clusters as seen.
    /// - Throws: `MicroWorldError.unreadableDataset` naming a file that cannot be read or has invalid records.
    public func controlSources(in directory: URL, modality: MicroModality? = nil) throws -> [MixtureSource] {
        try sources(controlFiles, in: directory, modality: modality)
    }

    private func sources(_ files: [TaskFile], in directory: URL, modality: MicroModality?) throws -> [MixtureSource] {
        try files.filter { file in modality.map { $0.rawValue == file.modality } ?? true }.map { file in
            let url = directory.appendingPathComponent(file.path)
            do {
                return try MixtureSource.load(name: file.name, dataset: file.dataset, taskCluster: file.taskCluster,
                                              from: url).source
            } catch {
                throw MicroWorldError.unreadableDataset(file: url.path, reason: String(describing: error))
            }
        }
    }

    /// The manifest in `url` (a `world.json`).
    /// - Throws: `MicroWorldError.unreadableManifest` naming the file.
    public static func load(from url: URL) throws -> MicroWorldManifest {
        let manifest: MicroWorldManifest
        do {
            manifest = try JSONDecoder().decode(MicroWorldManifest.self, from: Data(contentsOf: url))
        } catch {
            throw MicroWorldError.unreadableManifest(file: url.path, reason: String(describing: error))
        }
        guard manifest.format == formatTag else {
            throw MicroWorldError.unreadableManifest(file: url.path,
                                                     reason: "format \"\(manifest.format)\", expected \"\(formatTag)\"")
        }
        return manifest
    }

    /// The manifest as pretty-printed JSON with sorted keys (byte-stable for a given world).
    /// - Throws: `MicroWorldError.writeFailed` if encoding fails.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) } catch {
            throw MicroWorldError.writeFailed(file: Self.fileName, reason: String(describing: error))
        }
    }
}
