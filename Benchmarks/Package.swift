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
        .executableTarget(
            name: "Evaluation",
            dependencies: [
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Evaluation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
