// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "flagc",
    products: [
        .library(name: "FlagRuntime", targets: ["FlagRuntime"]),
        .library(name: "FlagCompiler", targets: ["FlagCompiler"]),
        .executable(name: "flagc", targets: ["flagc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libyaml through pkg-config; Debian: libyaml-dev.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // What services import: the snapshot model and evaluation. No YAML, no CLI.
        .target(name: "FlagRuntime"),
        // YAML front-end, validation rules, diagnostics, lowering and snapshot encoding.
        .target(name: "FlagCompiler", dependencies: ["CYAML", "FlagRuntime"]),
        // The command library behind the `flagc` executable.
        .target(
            name: "FlagCommands",
            dependencies: [
                "FlagCompiler",
                "FlagRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "flagc", dependencies: ["FlagCommands"]),
        .testTarget(name: "FlagRuntimeTests", dependencies: ["FlagRuntime"]),
        .testTarget(
            name: "FlagCompilerTests",
            dependencies: ["FlagCompiler", "FlagRuntime"],
            exclude: ["Fixtures"]
        ),
        // Data-driven cases (flag files + contexts → expected results) that any runtime can replay.
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["FlagCompiler", "FlagRuntime"],
            path: "Tests/Conformance",
            exclude: ["Suites", "README.md"]
        ),
        .testTarget(
            name: "FlagcEndToEndTests",
            dependencies: ["flagc", "FlagRuntime"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
