import Foundation

/// The built-in task catalogue: the paper's suite (BoolQ, RACE, OpenBookQA, HellaSwag; ScienceQA-IMG, POPE)
/// plus ARC, WinoGrande, CommonsenseQA, LAMBADA and NLVR, each under both protocols.
///
/// Every built-in task is a task file shipped as a resource, `tasks/{protocol}/{name}.json`, in the same
/// format as `mlan eval --task-file` (Docs/EVALUATION.md); its relative paths resolve against the data
/// folder. This table only lists the names, in order, and what a definition cannot say: which option
/// supplies POPE's images and NLVR's permutations.
public enum BuiltinTasks {
    /// One built-in task: its name and the options it takes from ``BuiltinTaskOptions``.
    struct Entry: Sendable {
        /// What the task takes from the options beyond the data folder.
        enum Needs: Sendable {
            case dataOnly
            /// The image folder is ``BuiltinTaskOptions/popeImageDirectory`` (COCO is not in the data folder).
            case popeImages
            /// ``BuiltinTaskOptions/nlvrImages`` picks the documents format.
            case nlvrPermutations
        }

        let name: String
        var needs = Needs.dataOnly
    }

    /// The registry, language tasks first.
    static let table: [Entry] = [
        Entry(name: "boolq"), Entry(name: "race"), Entry(name: "race_middle"), Entry(name: "openbookqa"),
        Entry(name: "hellaswag"), Entry(name: "arc_easy"), Entry(name: "arc_challenge"), Entry(name: "winogrande"),
        Entry(name: "commonsense_qa"), Entry(name: "lambada_openai"), Entry(name: "scienceqa_img"),
        Entry(name: "nlvr", needs: .nlvrPermutations), Entry(name: "pope_random", needs: .popeImages),
        Entry(name: "pope_popular", needs: .popeImages), Entry(name: "pope_adversarial", needs: .popeImages),
    ]

    /// Every built-in task name, language tasks first.
    public static let names = table.map(\.name)

    /// The tasks the paper reports: its language and vision suite (without GQA, AI2D and RealWorldQA, whose
    /// data is not available here).
    public static let paperSuite = ["boolq", "race", "openbookqa", "hellaswag", "scienceqa_img",
                                    "pope_random", "pope_popular", "pope_adversarial"]

    /// One line per built-in task: name, modality, dataset and cluster, tab-separated (`mlan eval --list-tasks`),
    /// read from the lm-eval definitions.
    /// - Throws: as ``definition(named:protocol:)``.
    public static var listing: String {
        get throws {
            try names.map { name in
                let definition = try definition(named: name, protocol: .lmEval)
                return "\(name)\t\(definition.modality.rawValue)\t\(definition.dataset)\t\(definition.taskCluster)\n"
            }.joined()
        }
    }

    /// The file of the built-in task `name` under `evalProtocol` (inside the module's resource bundle).
    /// - Throws: `EvalError.unknownTask` for a name not in the registry.
    public static func definitionFile(named name: String, protocol evalProtocol: EvalProtocol) throws -> URL {
        guard names.contains(name) else { throw EvalError.unknownTask(name: name, known: names) }
        let bundle = Bundle.module.resourceURL ?? Bundle.module.bundleURL
        return bundle.appendingPathComponent("tasks/\(evalProtocol.rawValue)/\(name).json")
    }

    /// The definition of the built-in task `name` under `evalProtocol`, as its task file declares it.
    /// - Throws: `EvalError.unknownTask`; `TaskDefinition.load(from:)`'s errors for an unreadable resource.
    public static func definition(named name: String, protocol evalProtocol: EvalProtocol) throws -> TaskDefinition {
        try TaskDefinition.load(from: try definitionFile(named: name, protocol: evalProtocol))
    }

    /// The task `name` under `evalProtocol`.
    /// - Throws: `EvalError.unknownTask`; `EvalError.invalidOptions` for POPE without an image folder.
    public static func task(named name: String, protocol evalProtocol: EvalProtocol,
                            options: BuiltinTaskOptions) throws -> any EvalTask {
        guard let entry = table.first(where: { $0.name == name }) else {
            throw EvalError.unknownTask(name: name, known: names)
        }
        var definition = try definition(named: name, protocol: evalProtocol)
        var imageRoot: URL?
        switch entry.needs {
        case .dataOnly:
            break
        case .popeImages:
            guard let images = options.popeImageDirectory else {
                throw EvalError.invalidOptions(
                    "\(name) needs the COCO val2014 images it asks about: pass their folder (--image-dir)")
            }
            imageRoot = images
        case .nlvrPermutations where options.nlvrImages == .all:
            definition.documents?.format = .nlvrAllPermutations
            definition.version += "+all-permutations"
        case .nlvrPermutations:
            break
        }
        return try DeclaredTask(definition: definition, baseDirectory: options.dataDirectory, imageRoot: imageRoot)
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
