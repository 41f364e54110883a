// swift-tools-version: 6.0
import PackageDescription

// Small programs that script MLAN from another package, the way a user's own project would: MLAN is a
// dependency by path, and each executable imports only the libraries it needs. `make test` builds and runs them.
let package = Package(
    name: "MLANExamples",
    dependencies: [.package(name: "MLAN", path: "..")],
    targets: [
        // The QA template and the small helpers the three programs share.
        .target(name: "ExampleSupport", dependencies: [.product(name: "MLANData", package: "MLAN")]),
        // Evaluate a model on a task declared in JSON (Docs/EVALUATION.md's format).
        .executableTarget(name: "eval-custom-task", dependencies: [
            "ExampleSupport", .product(name: "MLANExperiment", package: "MLAN"), .product(name: "MLANEval", package: "MLAN"),
        ]),
        // Build a mixture from two sources and train a tiny Llama on it; save it in Hugging Face layout.
        .executableTarget(name: "train-custom-mixture", dependencies: [
            "ExampleSupport", .product(name: "MLANData", package: "MLAN"), .product(name: "MLANModel", package: "MLAN"),
            .product(name: "MLANTrain", package: "MLAN"), .product(name: "MLANCore", package: "MLAN"),
        ]),
        // Load a saved model and answer a question greedily.
        .executableTarget(name: "generate-from-checkpoint", dependencies: [
            "ExampleSupport", .product(name: "MLANData", package: "MLAN"), .product(name: "MLANModel", package: "MLAN"),
        ]),
    ]
)
