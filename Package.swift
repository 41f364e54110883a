// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "MLAN",
    products: [
        .library(name: "MLANCore", targets: ["MLANCore"]),
        .library(name: "MLANData", targets: ["MLANData"]),
        .library(name: "MLANModel", targets: ["MLANModel"]),
        .library(name: "MLANTrain", targets: ["MLANTrain"]),
        .library(name: "MLANEval", targets: ["MLANEval"]),
        .library(name: "MLANExperiment", targets: ["MLANExperiment"]),
        .library(name: "MLANSupport", targets: ["MLANSupport"]),
        .library(name: "MLANDistributed", targets: ["MLANDistributed"]),
        .executable(name: "mlan", targets: ["mlan-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .target(name: "CQuant"),
        // Open MPI's libmpi, loaded at run time (dlopen) by ranks that mpirun starts: nothing links MPI.
        .target(name: "CMPI"),
        .target(name: "MLANDistributed", dependencies: ["CMPI"]),
        .target(name: "MLANSupport"),
        // Run-time-dispatched vector kernels (per-function AVX-512 / AVX2 target attributes; no -march flags).
        .target(name: "CKernels"),
        .target(name: "MLANCore", dependencies: ["MLANSupport", "COpenBLAS", "CKernels", "CQuant"]),
        .target(name: "MLANData", dependencies: ["MLANSupport", "CPNG", "CJPEG"]),
        .target(name: "MLANModel", dependencies: ["MLANCore", "MLANData"]),
        .target(name: "MLANTrain", dependencies: ["MLANCore", "MLANData", "MLANModel", "MLANDistributed"]),
        .target(name: "MLANEval", dependencies: ["MLANCore", "MLANData", "MLANModel", "MLANDistributed"],
                resources: [.copy("Resources/tasks")]),
        .target(name: "MLANExperiment", dependencies: ["MLANTrain", "MLANEval", "MLANDistributed"]),
        .executableTarget(name: "mlan-cli", dependencies: [
            "MLANCore", "MLANData", "MLANModel", "MLANTrain", "MLANEval", "MLANExperiment", "MLANDistributed",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mlan-bench", dependencies: ["MLANCore", "MLANData", "MLANModel", "MLANEval", "MLANTrain",
                                                            "MLANDistributed"],
                          path: "Benchmarks", exclude: ["pytorch_train_step.py"]),
        .target(name: "MLANTestSupport", path: "Tests/Support"),
        .testTarget(name: "MLANCoreTests", dependencies: ["MLANCore", "CKernels", "MLANTestSupport"]),
        .testTarget(name: "MLANDataTests", dependencies: ["MLANData", "MLANTestSupport"]),
        .testTarget(name: "MLANModelTests", dependencies: ["MLANModel", "MLANTestSupport"]),
        .testTarget(name: "MLANTrainTests", dependencies: ["MLANTrain", "MLANDistributed", "MLANTestSupport"]),
        .testTarget(name: "MLANEvalTests", dependencies: ["MLANEval", "MLANTestSupport"]),
        .testTarget(name: "MLANExperimentTests", dependencies: ["MLANExperiment", "MLANTestSupport"]),
        .testTarget(name: "MLANCLITests", dependencies: ["mlan-cli", "MLANTestSupport"], exclude: ["Snapshots"]),
    ]
)
