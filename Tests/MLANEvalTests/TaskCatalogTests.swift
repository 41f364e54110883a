import Foundation
import MLANTestSupport
import Testing
@testable import MLANEval

struct TaskCatalogTests {
    /// Document counts from MANIFEST.md; every record of every file must turn into requests.
    @Test(arguments: [
        ("boolq", 3270, 3270), ("race", 1045, 3498), ("race_middle", 362, 1436), ("openbookqa", 500, 500),
        ("hellaswag", 10042, 10042), ("arc_easy", 2376, 2376), ("arc_challenge", 1172, 1172),
        ("winogrande", 1267, 1267), ("commonsense_qa", 1221, 1221), ("lambada_openai", 5153, 5153),
        ("scienceqa_img", 2017, 2017), ("nlvr", 990, 990),
    ])
    func everyDocumentOfTheRealFileLoadsUnderBothProtocols(name: String, lmEvalCount: Int, mlanCount: Int) throws {
        let lmEval = try BuiltinTasks.task(named: name, protocol: .lmEval, options: sharedOptions)
        #expect(try allInstances(lmEval).count == lmEvalCount)
        let mlan = try BuiltinTasks.task(named: name, protocol: .mlan, options: sharedOptions)
        #expect(try allInstances(mlan).count == mlanCount)
    }

    @Test(arguments: ["pope_random", "pope_popular", "pope_adversarial"])
    func popeSplitsHaveThreeThousandQuestionsEach(name: String) throws {
        var options = sharedOptions
        options.popeImageDirectory = try temporaryDirectory()
        for evalProtocol in EvalProtocol.allCases {
            let task = try BuiltinTasks.task(named: name, protocol: evalProtocol, options: options)
            #expect(try task.documents().count == 3000)
        }
    }

    @Test func nlvrWithAllPermutationsHasSixDocumentsPerStatement() throws {
        var options = sharedOptions
        options.nlvrImages = .all
        let instances = try allInstances(try BuiltinTasks.task(named: "nlvr", protocol: .lmEval, options: options))
        #expect(instances.count == 5940)
        #expect(instances.prefix(6).map(\.id) == (0..<6).map { "3776-0-\($0)" })
    }

    @Test func popeWithoutAnImageFolderIsRefusedWithAHint() {
        #expect(throws: EvalError.invalidOptions(
            "pope_random needs the COCO val2014 images it asks about: pass their folder (--image-dir)")) {
            try BuiltinTasks.task(named: "pope_random", protocol: .mlan, options: sharedOptions)
        }
    }

    @Test func popeNamesTheFirstMissingImage() throws {
        var options = sharedOptions
        let images = try temporaryDirectory()
        options.popeImageDirectory = images
        let task = try BuiltinTasks.task(named: "pope_adversarial", protocol: .lmEval, options: options)
        let missing = images.appendingPathComponent("COCO_val2014_000000310196.jpg").path
        #expect(throws: EvalError.missingImage(task: "pope_adversarial", path: missing, record: .line(1))) {
            try runner(FakeScorer()).run([task])
        }
        #expect(FileManager.default.createFile(atPath: missing, contents: Data()))
        #expect(try firstInstance(task).id == "1")
    }

    @Test func unknownTaskListsTheKnownOnes() {
        #expect(throws: EvalError.unknownTask(name: "mmlu", known: BuiltinTasks.names)) {
            try BuiltinTasks.task(named: "mmlu", protocol: .lmEval, options: sharedOptions)
        }
    }

    @Test func paperAndAllExpandToTheirTaskLists() throws {
        var options = sharedOptions
        options.popeImageDirectory = try temporaryDirectory()
        #expect(try BuiltinTasks.tasks(named: ["paper"], protocol: .mlan, options: options).map(\.name)
                == BuiltinTasks.paperSuite)
        #expect(try BuiltinTasks.tasks(named: ["all"], protocol: .lmEval, options: options).count == 15)
    }

    @Test func everyBuiltinTaskHasADatasetAClusterAndAModality() throws {
        var options = sharedOptions
        options.popeImageDirectory = try temporaryDirectory()
        for evalProtocol in EvalProtocol.allCases {
            for task in try BuiltinTasks.tasks(named: ["all"], protocol: evalProtocol, options: options) {
                #expect(!task.info.dataset.isEmpty && !task.info.taskCluster.isEmpty)
                #expect(task.info.protocolName == evalProtocol.rawValue)
                #expect(task.info.metrics.contains { $0.metric == task.info.primaryMetric.metric })
            }
        }
        let vision = try BuiltinTasks.names.filter {
            try BuiltinTasks.definition(named: $0, protocol: .lmEval).modality == .vision
        }
        #expect(vision == ["scienceqa_img", "nlvr", "pope_random", "pope_popular", "pope_adversarial"])
    }
}
