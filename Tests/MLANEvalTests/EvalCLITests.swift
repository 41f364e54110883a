import Foundation
import MLANCore
import MLANTestSupport
import Testing

/// The built `mlan` executable (beside this test binary in the build folder): `mlan eval` end to end on
/// SmolLM2, its default data folder and its errors.
@Suite(.serialized) struct EvalCLITests {
    /// `mlan` in the build folder this test binary was built in.
    static func executable() throws -> URL {
        try #require(ProcessRun.builtExecutable("mlan"), "no mlan executable; build with --build-tests, which builds it")
    }

    /// Runs `executable` with `arguments` in `directory`, with `MLAN_SHARED` set to `shared` or removed.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL, shared: String?) throws -> ProcessRun {
        try ProcessRun.run(executable, arguments, in: directory, environment: ["MLAN_SHARED": shared])
    }

    @Test func evalBoolqLimit5WithTheDefaultDataFolderWritesResults() throws {
        let folder = try temporaryDirectory()  // no ../shared/data beside it: the executable's repository supplies it
        let results = folder.appendingPathComponent("results.json")
        // When this checkout has no ../shared beside it (a clone elsewhere), the default comes from $MLAN_SHARED.
        let besideRepository = SharedPaths.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        let shared = FileManager.default.fileExists(atPath: besideRepository.path) ? nil : SharedPaths.shared.path
        let run = try Self.run(try Self.executable(), [
            "eval", "--model", try SharedPaths.smolLM2().path, "--tasks", "boolq", "--limit", "5",
            "--output", results.path,
        ], in: folder, shared: shared)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("|boolq|") && run.stdout.contains("|acc   |"), "\(run.stdout)")
        let json = try JSONValue.parse(try Data(contentsOf: results))
        let boolq = try #require(json["results"]?["boolq"])
        let acc = try #require(boolq["acc,none"]?.doubleValue)
        #expect([0, 0.2, 0.4, 0.6, 0.8, 1].contains { abs($0 - acc) < 1e-9 })
        #expect(json["n-samples"]?["boolq"]?["effective"]?.intValue == 5)
        #expect(json["config"]?["model"]?.stringValue == "SmolLM2-135M-Instruct.Q4_1.gguf")
        #expect(run.stderr.contains("boolq 5/5"))
    }

    @Test func aMissingDataFolderIsReportedWithEveryPlaceLookedIn() throws {
        // A copy of the executable outside any repository, run where no ../shared/data exists.
        let bin = try temporaryDirectory(), work = try temporaryDirectory()
        let copy = bin.appendingPathComponent("mlan")
        try FileManager.default.copyItem(at: try Self.executable(), to: copy)
        let missing = work.appendingPathComponent("nowhere").path
        let run = try Self.run(copy, ["eval", "--model", try SharedPaths.smolLM2().path, "--tasks", "boolq", "--limit", "1"],
                               in: work, shared: missing)
        #expect(run.status != 0)
        #expect(run.stderr.contains("No evaluation data folder found"), "\(run.stderr)")
        #expect(run.stderr.contains(missing + "/data") && run.stderr.contains("--data-dir"), "\(run.stderr)")
    }

    @Test func evalHelpListsTheFlags() throws {
        let run = try Self.run(try Self.executable(), ["eval", "--help"], in: try temporaryDirectory(), shared: nil)
        #expect(run.status == 0)
        for flag in ["--model", "--tasks", "--protocol", "--template", "--data-dir", "--limit", "--output", "--log-samples"] {
            #expect(run.stdout.contains(flag), "\(flag) missing from --help")
        }
        #expect(run.stdout.contains("$MLAN_SHARED/data"))
    }
}
