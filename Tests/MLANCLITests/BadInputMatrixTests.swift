import Foundation
import MLANTestSupport
import Testing

/// Every subcommand of the built `mlan` against each kind of bad input: one line on standard error naming the
/// thing and what is wrong, a non-zero exit status, no crash or stack trace, and no output file left behind.
@Suite(.serialized) struct BadInputMatrixTests {
    /// One bad invocation: the arguments, a word the error line must contain, and files that must not exist after.
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let arguments: [String]
        let mentions: String
        var leavesNoFileAt: [String] = []
        var testDescription: String { label }
    }

    /// The scratch folder the cases' paths point into, made once per run.
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlan-bad-input-\(getpid())").path

    /// Files of every bad kind, written before the matrix runs.
    static func prepareScratch() throws {
        try FileManager.default.createDirectory(atPath: scratch + "/folder", withIntermediateDirectories: true)
        func write(_ data: Data, _ name: String) throws { try data.write(to: URL(fileURLWithPath: scratch + "/" + name)) }
        try write(Data(), "empty.gguf")
        try write(Data(), "empty.json")
        try write(Data("x".utf8), "not-a-dir")
        try write(try Data(contentsOf: try SharedPaths.smolLM2()).prefix(100_000), "truncated.gguf")
        let png = try Data(contentsOf: SharedPaths.fixture("images/rgb_48x40.png"))
        try write(png, "image.gguf")
        try write(png, "image.json")
        try write(Data(#"[{"id": "a", "conversations": [{"from": "hu"#.utf8), "truncated.json")
        try write(Data("hello world\nsecond line\n".utf8), "text.txt")
    }

    static var model: String { (try? SharedPaths.smolLM2().path) ?? "models/SmolLM2-135M-Instruct.Q4_1.gguf" }
    /// An output path whose folder cannot exist (its parent is a file), so writing fails even as root.
    static var unwritable: String { scratch + "/not-a-dir/out" }

    static let cases: [Case] = {
        let s = scratch, m = model, bad = unwritable
        var cases: [Case] = []
        func add(_ label: String, _ arguments: [String], _ mentions: String, leaves: [String] = []) {
            cases.append(Case(label: label, arguments: arguments, mentions: mentions, leavesNoFileAt: leaves))
        }
        for (command, extra) in [(["generate"], ["--prompt", "x"]), (["model", "logits"], ["--prompt", "x", "--output", s + "/l.st"]),
                                 (["model", "convert"], ["--output", s + "/converted"])] {
            let name = command.joined(separator: " ")
            add("\(name): missing model", command + ["--model", s + "/missing.gguf"] + extra, "missing.gguf", leaves: [s + "/l.st", s + "/converted"])
            add("\(name): folder as model", command + ["--model", s + "/folder"] + extra, "folder", leaves: [s + "/l.st", s + "/converted"])
            add("\(name): empty model", command + ["--model", s + "/empty.gguf"] + extra, "empty.gguf", leaves: [s + "/l.st", s + "/converted"])
            add("\(name): truncated model", command + ["--model", s + "/truncated.gguf"] + extra, "truncated.gguf", leaves: [s + "/l.st", s + "/converted"])
            add("\(name): PNG as model", command + ["--model", s + "/image.gguf"] + extra, "image.gguf", leaves: [s + "/l.st", s + "/converted"])
        }
        add("generate: zero new tokens", ["generate", "--model", m, "--prompt", "x", "--max-new-tokens", "0"], "--max-new-tokens")
        add("generate: malformed new tokens", ["generate", "--model", m, "--prompt", "x", "--max-new-tokens", "many"], "--max-new-tokens")
        add("generate: negative temperature", ["generate", "--model", m, "--prompt", "x", "--temperature", "-1"], "--temperature")
        add("generate: malformed ids", ["generate", "--model", m, "--ids", "1,x"], "--ids")
        add("generate: empty prompt", ["generate", "--model", m, "--prompt", ""], "prompt")
        add("model logits: unwritable output", ["model", "logits", "--model", m, "--prompt", "x", "--output", bad + "/l.st"], "not-a-dir")
        add("model convert: unwritable output", ["model", "convert", "--model", m, "--output", bad + "/converted"], "not-a-dir")
        add("model inspect: missing", ["model", "inspect", s + "/missing.gguf"], "missing.gguf")
        add("model inspect: truncated", ["model", "inspect", s + "/truncated.gguf"], "truncated.gguf")
        add("model inspect: PNG", ["model", "inspect", s + "/image.gguf"], "image.gguf")
        for file in ["missing.gguf", "folder", "empty.gguf", "truncated.gguf", "image.gguf", "empty.json", "image.json"] {
            add("tokenizer encode: \(file)", ["tokenizer", "encode", "--tokenizer", s + "/" + file], file)
        }
        add("tokenizer train: zero vocabulary", ["tokenizer", "train", "--vocab-size", "0", "--output", s + "/t.json", s + "/text.txt"],
            "--vocab-size", leaves: [s + "/t.json"])
        add("tokenizer train: missing text", ["tokenizer", "train", "--vocab-size", "300", "--output", s + "/t.json", s + "/missing.txt"],
            "missing.txt", leaves: [s + "/t.json"])
        add("tokenizer train: unwritable output", ["tokenizer", "train", "--vocab-size", "300", "--output", bad + "/t.json", s + "/text.txt"],
            "not-a-dir")
        for file in ["missing.json", "folder", "empty.json", "truncated.json", "image.json"] {
            add("data validate: \(file)", ["data", "validate", s + "/" + file], file)
            add("data inspect: \(file)", ["data", "inspect", s + "/" + file], file)
        }
        add("data validate: negative max errors", ["data", "validate", "--max-errors", "-1", s + "/empty.json"], "--max-errors")
        add("data inspect: unknown template", ["data", "inspect", "--template", "nope", s + "/empty.json"], "nope")
        for file in ["missing.gguf", "folder", "empty.gguf", "truncated.gguf", "image.gguf"] {
            add("eval: model \(file)", ["eval", "--model", s + "/" + file, "--tasks", "boolq", "--output", s + "/r.json"], file,
                leaves: [s + "/r.json"])
        }
        add("eval: unknown task", ["eval", "--model", m, "--tasks", "no_such_task", "--output", s + "/r.json"], "no_such_task",
            leaves: [s + "/r.json"])
        add("eval: malformed limit", ["eval", "--model", m, "--tasks", "boolq", "--limit", "lots"], "--limit")
        add("eval: zero batch size", ["eval", "--model", m, "--tasks", "boolq", "--batch-size", "0"], "--batch-size")
        add("eval: unknown protocol", ["eval", "--model", m, "--tasks", "boolq", "--protocol", "nope"], "--protocol")
        add("eval: missing task file", ["eval", "--model", m, "--task-file", s + "/missing.json"], "missing.json")
        add("eval: PNG as task file", ["eval", "--model", m, "--task-file", s + "/image.json"], "image.json")
        add("eval: missing data folder", ["eval", "--model", m, "--tasks", "boolq", "--data-dir", s + "/missing-data"], "missing-data")
        for file in ["missing.json", "folder", "empty.json", "truncated.json", "image.json"] {
            add("train: config \(file)", ["train", "--config", s + "/" + file], file)
            add("demo: recipe \(file)", ["demo", "--recipe", s + "/" + file, "--output", s + "/demo"], file, leaves: [s + "/demo"])
        }
        add("demo: unwritable output", ["demo", "--quick", "--output", bad + "/demo"], "not-a-dir")
        add("cost: negative examples", ["cost", "--examples=-5"], "--examples")
        add("cost: infinite parameters", ["cost", "--llm-parameters", "inf"], "--llm-parameters")
        add("cost: malformed parameters", ["cost", "--llm-parameters", "seven"], "--llm-parameters")
        add("unknown subcommand", ["frobnicate"], "frobnicate")
        return cases
    }()

    @Test(arguments: cases)
    func badInputFailsWithOneLineNamingIt(_ bad: Case) throws {
        try Self.prepareScratch()
        let mlan = try #require(ProcessRun.builtExecutable("mlan"), "build with --build-tests, which builds mlan")
        let run = try ProcessRun.run(mlan, bad.arguments, environment: ["MLAN_SHARED": SharedPaths.shared.path])
        let lines = run.stderr.split(whereSeparator: \.isNewline)
        #expect(run.status != 0, "exit status 0 for \(bad.arguments)")
        #expect(lines.count == 1, "expected one line on stderr, got:\n\(run.stderr)")
        #expect(run.stderr.contains(bad.mentions), "stderr does not name '\(bad.mentions)': \(run.stderr)")
        for marker in ["Fatal error", "Stack dump", "Current stack trace", "Precondition failed", "Segmentation",
                       "Error Domain=", "DecodingError", "could not be completed"] {
            #expect(!run.stderr.contains(marker))
        }
        for path in bad.leavesNoFileAt { #expect(!FileManager.default.fileExists(atPath: path), "\(path) was left behind") }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: Self.scratch).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }
}
