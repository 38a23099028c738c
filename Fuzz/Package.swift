// swift-tools-version: 6.1
// libFuzzer targets, not part of the main package: `swift build` and `swift test` at the repository root never
// build them (docs/snapshot-format.md, "Fuzzing"):
//
// - SnapshotDecoderFuzzer: `SnapshotLoader.load(bytes:)` (seeds: Fuzz/Seeds/snapshots);
// - FlagFileFuzzer: the YAML front-end, `FlagCompiler.compile(sources:)` (seeds: Fuzz/Seeds/flag-files).
//
// Build and run one (from the repository root; `Fuzz/run.sh` builds both and runs each for $FUZZ_SECONDS):
//
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   mkdir -p Fuzz/.build/corpus-SnapshotDecoderFuzzer Fuzz/.build/corpus-FlagFileFuzzer
//   Fuzz/.build/release/SnapshotDecoderFuzzer Fuzz/.build/corpus-SnapshotDecoderFuzzer Fuzz/Seeds/snapshots -max_total_time=600 -max_len=20000
//   Fuzz/.build/release/FlagFileFuzzer Fuzz/.build/corpus-FlagFileFuzzer Fuzz/Seeds/flag-files -max_total_time=600 -timeout=1
//
// Linking needs nothing beyond the Swift toolchain: the swift.org 6.3.1 toolchain ships its own clang runtimes
// (libclang_rt.fuzzer, .asan, with LeakSanitizer) in usr/lib/clang/*/lib/linux, no Debian libclang-rt package
// needed. ld.gold warns "Cannot export local symbol '__asan_extra_spill_area'"; harmless. FlagFileFuzzer needs
// libyaml (`apt-get install -y libyaml-dev`, pkg-config yaml-0.1), like the main package's FlagCompiler.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so the main package's identity is the checkout's folder name.
let flagc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "flagc-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "SnapshotDecoderFuzzer",
            dependencies: [.product(name: "FlagRuntime", package: flagc)]
        ),
        .executableTarget(
            name: "FlagFileFuzzer",
            dependencies: [
                .product(name: "FlagCompiler", package: flagc),
                .product(name: "FlagRuntime", package: flagc),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
