// swift-tools-version: 6.0
import PackageDescription

// Coverage-guided fuzz targets for MLAN's parsers, built with libFuzzer and AddressSanitizer by `make fuzz`
// (see Docs/RELIABILITY.md). A separate package, so the main package's build and tests never see the
// sanitizer flags; it depends on MLAN by path.
let package = Package(
    name: "MLANFuzz",
    dependencies: [.package(name: "MLAN", path: "..")],
    targets: [
        .executableTarget(name: "mlan-fuzz", dependencies: [
            .product(name: "MLANCore", package: "MLAN"), .product(name: "MLANData", package: "MLAN"),
            .product(name: "MLANModel", package: "MLAN"), .product(name: "MLANTrain", package: "MLAN"),
            .product(name: "MLANEval", package: "MLAN"),
        ]),
    ]
)
