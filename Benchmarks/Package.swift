// swift-tools-version: 6.1
// The benchmark package: nested so that its dependencies never reach users of flagc.
// Run:   swift package --package-path Benchmarks benchmark
// Check: swift package --package-path Benchmarks benchmark thresholds check
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so the main package's identity is the checkout's folder name.
let flagc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "flagc-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Generated inputs shared by the benchmarks (a Swift port of scripts/generate-flags.py).
        .target(
            name: "FlagFixtures",
            dependencies: [
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "FlagCompiler", package: flagc),
            ],
            path: "Benchmarks/FlagFixtures"
        ),
        .executableTarget(
            name: "Evaluation",
            dependencies: [
                "FlagFixtures",
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Evaluation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Evaluations with hooks and FlagObservability's observers registered, against the same store bare.
        .executableTarget(
            name: "Observation",
            dependencies: [
                "FlagFixtures",
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "FlagObservability", package: flagc),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Observation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Compilation",
            dependencies: [
                "FlagFixtures",
                .product(name: "FlagCompiler", package: flagc),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Compilation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Services",
            dependencies: [
                "FlagFixtures",
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Services",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Loading",
            dependencies: [
                "FlagFixtures",
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Loading",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
