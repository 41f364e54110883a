import ArgumentParser
import MLANCore

/// Entry point: choose OpenBLAS's fastest kernels for this CPU (may re-execute), keep freed memory for reuse,
/// then parse the command.
@main
enum MLANMain {
    static func main() {
        CPUFeatures.preferFastBLASKernels()
        Allocator.reuseFreedMemory()
        MLAN.main()
    }
}

struct MLAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlan",
        abstract: "Language-based instruction tuning for multimodal LLMs, on the CPU.",
        subcommands: [DemoCommand.self, TrainCommand.self, GenerateCommand.self, ModelCommand.self, DataCommand.self, TokenizerCommand.self, EvalCommand.self, CostCommand.self])
}
