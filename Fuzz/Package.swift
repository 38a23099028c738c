// swift-tools-version: 6.1
// A libFuzzer target over the snapshot decoders. Not part of the main package: `swift build` and `swift test`
// at the repository root never build it. Build and run (docs/snapshot-format.md, "Fuzzing"):
//
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   mkdir -p Fuzz/.build/corpus
//   Fuzz/.build/release/SnapshotDecoderFuzzer Fuzz/.build/corpus Fuzz/Seeds -max_total_time=600
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so the main package's identity is the checkout's folder name.
let flagc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "flagc-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "SnapshotDecoderFuzzer",
            dependencies: [.product(name: "FlagRuntime", package: flagc)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
