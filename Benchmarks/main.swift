import Foundation
import MLANCore

// `make bench`: MLAN's kernels beside their physical limits, in one run (release build).
if CommandLine.arguments.dropFirst().first == "busy-loop" { ContentionBenchmarks.busyLoop() }  // the competitor
CPUFeatures.preferFastBLASKernels()
Allocator.reuseFreedMemory()

// Suite names, optionally with a case after a colon (`train:L`).
let arguments = Set(CommandLine.arguments.dropFirst().map { String($0.prefix { $0 != ":" }) })
func wants(_ name: String) -> Bool { arguments.isEmpty || arguments.contains(name) }

// `step:NAME` is for drivers (the contention suite, Benchmarks/pytorch_train_step.py): one machine-readable line.
if arguments == ["step"] {
    TrainBenchmarks.runSteps()
    exit(0)
}
// `dp:NAME` (under mpirun or alone) is for Scripts/bench-mpi.sh: one machine-readable line from rank 0.
if arguments == ["dp"] {
    do { try DataParallelBenchmarks.run() } catch {
        FileHandle.standardError.write(Data("mlan-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

print("MLAN benchmarks — OpenBLAS core \(BLAS.coreName), \(BLAS.threadCount) threads")
print("(medians; compare ratios measured in this run)\n")

if wants("core") { CoreBenchmarks.run() }
for suite in ModelBenchmarks.all where wants(suite.name) {
    suite.run()
}
// Opt-in only (minutes of child runs): `mlan-bench contention:L`.
if arguments.contains("contention") { ContentionBenchmarks.run() }
// Opt-in only (minutes): `mlan-bench memory:train memory:eval` (see MemoryBenchmarks).
if arguments.contains("memory") { MemoryBenchmarks.run() }
