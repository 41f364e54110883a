import ArgumentParser
import Foundation
import MLANCore

/// Entry point: choose OpenBLAS's fastest kernels for this CPU (may re-execute), keep freed memory for reuse,
/// then parse and run the command. A failure prints one line, `mlan: <what is wrong>`, on standard error and
/// exits non-zero; help and version requests print as usual.
@main
enum MLANMain {
    static func main() {
        CPUFeatures.preferFastBLASKernels()
        Allocator.reuseFreedMemory()
        do {
            var command = try MLAN.parseAsRoot()
            try command.run()
        } catch {
            let code = MLAN.exitCode(for: error)
            if code == .success || error is CleanExit { MLAN.exit(withError: error) }
            let message = MLAN.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            if !message.isEmpty { FileHandle.standardError.write(Data("mlan: \(message)\n".utf8)) }
            exit(code.rawValue)
        }
    }
}

struct MLAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlan",
        abstract: "Language-based instruction tuning for multimodal LLMs, on the CPU.",
        subcommands: [DemoCommand.self, TrainCommand.self, GenerateCommand.self, ModelCommand.self, DataCommand.self,
                      TokenizerCommand.self, EvalCommand.self, CostCommand.self, ExperimentCommand.self])
}
