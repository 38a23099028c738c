// swift-tools-version: 6.1
// Reload latency: from the rename of a snapshot file to the first evaluation that sees the new snapshot.
// Nested, so the main package never builds it. Run: Benchmarks/reload/run.sh (or see README.md).
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so the main package's identity is the checkout's folder name.
let flagc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "reload-latency",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "ReloadLatency",
            dependencies: [.product(name: "FlagCompiler", package: flagc), .product(name: "FlagReload", package: flagc), .product(name: "FlagRuntime", package: flagc)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
