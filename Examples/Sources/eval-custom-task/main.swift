// Evaluates a model on a task declared in JSON (the task-file format of Docs/EVALUATION.md) through
// MLANExperiment.EvalJob, the library call behind `mlan eval --task-file`.
//
//   eval-custom-task --model PATH [--task-file FILE] [--limit N] [--min-accuracy X]
//
// PATH is a Hugging Face directory (e.g. train-custom-mixture's output) or a GGUF file (e.g.
// models/SmolLM2-135M-Instruct.Q4_1.gguf). The task file defaults to Tasks/facts.json, the facts that
// train-custom-mixture teaches, asked as multiple choice. Prints the results table; exits 1 unless the task ran
// on the documents asked for and its accuracy is at least X (default 0).
import ExampleSupport
import Foundation
import MLANEval
import MLANExperiment

let arguments = Arguments(usage: "eval-custom-task --model PATH [--task-file FILE] [--limit N] [--min-accuracy X]")
let bundledTask = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Tasks/facts.json")
let taskFile = URL(fileURLWithPath: arguments.string("task-file", bundledTask.standardizedFileURL.path))
let model = URL(fileURLWithPath: arguments.string("model", "runs/example-mixture"))
let limit = arguments.int("limit", 100)
guard let minimum = Double(arguments.string("min-accuracy", "0")) else { fail("--min-accuracy takes a number") }

do {
    var job = EvalJob(model: model, tasks: [])
    job.taskFiles = [taskFile]
    job.dataDirectory = taskFile.deletingLastPathComponent()  // no built-in task is asked for
    job.options.limit = .count(limit)
    let report = try job.run()
    print(report.markdown)
    guard let task = report.tasks.first, report.tasks.count == 1 else { fail("expected one task in the report") }
    guard task.effectiveCount == min(limit, task.originalCount) else {
        fail("scored \(task.effectiveCount) documents, asked for \(limit) of \(task.originalCount)")
    }
    guard let accuracy = task.primary?.value, (0...1).contains(accuracy) else { fail("no accuracy in [0, 1]") }
    print(String(format: "%@: accuracy %.3f on %d of %d documents", task.info.name, accuracy, task.effectiveCount,
                 task.originalCount))
    guard accuracy >= minimum else { fail("accuracy \(accuracy) is below \(minimum)") }
} catch {
    fail("\(error)")
}
