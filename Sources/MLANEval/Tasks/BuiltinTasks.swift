import Foundation

/// Where the built-in tasks find their files, and their options.
public struct BuiltinTaskOptions: Sendable {
    /// The data folder laid out as `../shared/data` (see its MANIFEST.md).
    public var dataDirectory: URL
    /// The COCO val2014 images POPE asks about (not shipped with the data); required for `pope_*`.
    public var popeImageDirectory: URL?
    /// Which NLVR image(s) each statement is evaluated against (default: permutation 0).
    public var nlvrImages: NLVRImageSelection

    /// Options for a data folder.
    public init(dataDirectory: URL, popeImageDirectory: URL? = nil, nlvrImages: NLVRImageSelection = .first) {
        self.dataDirectory = dataDirectory
        self.popeImageDirectory = popeImageDirectory
        self.nlvrImages = nlvrImages
    }
}

/// The built-in task catalogue: the paper's suite (BoolQ, RACE, OpenBookQA, HellaSwag; ScienceQA-IMG, POPE)
/// plus ARC, WinoGrande, CommonsenseQA, LAMBADA and NLVR, each under both protocols.
public enum BuiltinTasks {
    /// Every built-in task name, language tasks first.
    public static let names = identities.map(\.name)

    /// One line per built-in task: name, modality, dataset and cluster, tab-separated (`mlan eval --list-tasks`).
    public static var listing: String {
        identities.map { "\($0.name)\t\($0.modality.rawValue)\t\($0.dataset)\t\($0.cluster)\n" }.joined()
    }

    /// Every built-in task's dataset, task cluster and modality.
    public static let identities: [TaskIdentity] = [
        LanguageTasks.boolq, raceHigh, raceMiddle, LanguageTasks.openbookqa, LanguageTasks.hellaswag,
        LanguageTasks.arcEasy, LanguageTasks.arcChallenge, WinoGrandeTask.identity, LanguageTasks.commonsenseQA,
        LanguageTasks.lambada, VisionTasks.scienceQA, VisionTasks.nlvr, VisionTasks.pope("random"),
        VisionTasks.pope("popular"), VisionTasks.pope("adversarial"),
    ]

    /// The tasks the paper reports: its language and vision suite (without GQA, AI2D and RealWorldQA, whose
    /// data is not available here).
    public static let paperSuite = ["boolq", "race", "openbookqa", "hellaswag", "scienceqa_img",
                                    "pope_random", "pope_popular", "pope_adversarial"]

    static let raceHigh = TaskIdentity(name: "race", dataset: "race", aliases: ["race_high"],
                                       cluster: "reading_comprehension", modality: .language)
    static let raceMiddle = TaskIdentity(name: "race_middle", dataset: "race", aliases: ["race_middle"],
                                         cluster: "reading_comprehension", modality: .language)

    /// The task `name` under `evalProtocol`.
    /// - Throws: `EvalError.unknownTask`; `EvalError.invalidOptions` for POPE without an image folder.
    public static func task(named name: String, protocol evalProtocol: EvalProtocol,
                            options: BuiltinTaskOptions) throws -> any EvalTask {
        let data = options.dataDirectory
        switch name {
        case "boolq": return try DeclaredTask(definition: LanguageTasks.boolq(evalProtocol), baseDirectory: data)
        case "openbookqa":
            return try DeclaredTask(definition: LanguageTasks.openbookqa(evalProtocol), baseDirectory: data)
        case "arc_easy", "arc_challenge":
            return try DeclaredTask(definition: LanguageTasks.arc(challenge: name == "arc_challenge", evalProtocol),
                                    baseDirectory: data)
        case "commonsense_qa":
            return try DeclaredTask(definition: LanguageTasks.commonsenseQA(evalProtocol), baseDirectory: data)
        case "lambada_openai":
            return try DeclaredTask(definition: LanguageTasks.lambada(evalProtocol), baseDirectory: data)
        case "hellaswag":
            let file = data.appendingPathComponent("hellaswag/hellaswag_val_full.txt")
            return try DeclaredTask(definition: LanguageTasks.hellaswag(evalProtocol), imageRoot: nil) {
                try LanguageTasks.readHellaSwag(file)
            }
        case "race", "race_middle":
            let identity = name == "race" ? raceHigh : raceMiddle
            let directory = data.appendingPathComponent(name == "race" ? "race/test/high" : "race/test/middle")
            switch evalProtocol {
            case .lmEval: return RaceTask(identity: identity, directory: directory)
            case .mlan:
                return try DeclaredTask(definition: RaceArticle.mlanDefinition(identity), imageRoot: nil) {
                    try RaceArticle.questionDocuments(in: directory)
                }
            }
        case "winogrande":
            let partial = data.appendingPathComponent("winogrande/winogrande.jsonl")
            switch evalProtocol {
            case .lmEval: return WinoGrandeTask(file: partial)
            case .mlan:
                let instructions = data.appendingPathComponent("winogrande/test_instruction_format.json")
                return try DeclaredTask(definition: WinoGrandeTask.mlanDefinition(), imageRoot: nil) {
                    try WinoGrandeTask.sentenceDocuments(instructions: instructions, partial: partial)
                }
            }
        case "scienceqa_img":
            let file = data.appendingPathComponent("scienceqa/llava_test_CQM-A.json")
            return try DeclaredTask(definition: VisionTasks.scienceQA(evalProtocol),
                                    imageRoot: data.appendingPathComponent("scienceqa/images/test")) {
                try VisionTasks.readScienceQA(file)
            }
        case "nlvr":
            let file = data.appendingPathComponent("nlvr/test/test.json")
            var definition = VisionTasks.nlvr(evalProtocol)
            if options.nlvrImages == .all {
                definition.version += "+all-permutations"
            }
            return try DeclaredTask(definition: definition, imageRoot: data.appendingPathComponent("nlvr/test")) {
                [images = options.nlvrImages] in try VisionTasks.readNLVR(file, images: images)
            }
        case "pope_random", "pope_popular", "pope_adversarial":
            guard let images = options.popeImageDirectory else {
                throw EvalError.invalidOptions(
                    "\(name) needs the COCO val2014 images it asks about: pass their folder (--image-dir)")
            }
            return try DeclaredTask(definition: VisionTasks.pope(String(name.dropFirst(5)), evalProtocol),
                                    baseDirectory: data, imageRoot: images)
        default:
            throw EvalError.unknownTask(name: name, known: names)
        }
    }

    /// The tasks `names` under `evalProtocol`, in order; `"paper"` expands to ``paperSuite`` and `"all"` to
    /// every built-in task.
    /// - Throws: as ``task(named:protocol:options:)``.
    public static func tasks(named names: [String], protocol evalProtocol: EvalProtocol,
                             options: BuiltinTaskOptions) throws -> [any EvalTask] {
        let expanded = names.flatMap { name -> [String] in
            switch name {
            case "paper": paperSuite
            case "all": self.names
            default: [name]
            }
        }
        return try expanded.map { try task(named: $0, protocol: evalProtocol, options: options) }
    }

    /// The built-in tasks `names` (see ``tasks(named:protocol:options:)``) followed by the tasks declared in
    /// the JSON files `definitionFiles` (each resolving relative paths against its own folder).
    /// - Throws: as ``tasks(named:protocol:options:)``, and `TaskDefinition.load(from:)`'s errors.
    public static func tasks(named names: [String], definitionFiles: [URL], protocol evalProtocol: EvalProtocol,
                             options: BuiltinTaskOptions) throws -> [any EvalTask] {
        let builtin = try tasks(named: names, protocol: evalProtocol, options: options)
        let declared: [any EvalTask] = try definitionFiles.map { file in
            try DeclaredTask(definition: try TaskDefinition.load(from: file), baseDirectory: file.deletingLastPathComponent())
        }
        return builtin + declared
    }
}
