// swift-tools-version: 6.1
// Measures loading a snapshot in both forms (binary and JSON): `../measure-snapshot-load.sh` builds and runs it.
// A separate package, so the main package's `swift build` and `swift test` never build it.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so the main package's identity is the checkout's folder name.
let flagc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "snapshot-load",
    dependencies: [.package(path: "../../..")],
    targets: [
        .target(name: "CHeap"),
        .executableTarget(
            name: "snapshot-load",
            dependencies: ["CHeap", .product(name: "FlagRuntime", package: flagc)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
