// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "flagc",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FlagRuntime", targets: ["FlagRuntime"]),
        .library(name: "FlagReload", targets: ["FlagReload"]),
        .library(name: "FlagRuntimeTesting", targets: ["FlagRuntimeTesting"]),
        .library(name: "FlagSignatures", targets: ["FlagSignatures"]),
        .library(name: "FlagServiceLifecycle", targets: ["FlagServiceLifecycle"]),
        .library(name: "FlagHummingbird", targets: ["FlagHummingbird"]),
        .library(name: "FlagObservability", targets: ["FlagObservability"]),
        .library(name: "FlagCompiler", targets: ["FlagCompiler"]),
        .executable(name: "flagc", targets: ["flagc"]),
        .plugin(name: "FlagAccessors", targets: ["FlagAccessors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        // libyaml through pkg-config; Debian: libyaml-dev.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // SHA-256 blocks with the x86 SHA extensions, for snapshot ids and checksums (a portable fallback is in Swift).
        .target(name: "CSHA256"),
        // Per-thread words the evaluation path reads without a library call (C's `_Thread_local`, which Swift lacks).
        .target(name: "CFlagThreadSlots"),
        // What services import: the snapshot model, loading and evaluation. No dependency beyond the Swift toolchain.
        .target(name: "FlagRuntime", dependencies: ["CSHA256", "CFlagThreadSlots"]),
        // Watching a snapshot file and swapping in each good new snapshot, with swift-log logging and swift-metrics
        // counters; a service that only evaluates does not link it.
        .target(
            name: "FlagReload",
            dependencies: [
                "FlagRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // What evaluations did: usage counters (swift-metrics), an exposure event stream, span events
        // (swift-distributed-tracing), all registered on a store through FlagRuntime's observation seam.
        .target(
            name: "FlagObservability",
            dependencies: [
                "FlagRuntime",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // For services' tests: task- and store-scoped overrides, a fixed clock, stores from plain values and an
        // in-memory file system for reload tests.
        .target(name: "FlagRuntimeTesting", dependencies: ["FlagRuntime"]),
        // Ed25519 signing and verification of snapshots; opt-in, so services that do not verify
        // signatures never build a crypto library.
        .target(
            name: "FlagSignatures",
            dependencies: ["FlagRuntime", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Runs a FlagStore's file watcher as a swift-service-lifecycle Service.
        .target(
            name: "FlagServiceLifecycle",
            dependencies: ["FlagReload", "FlagRuntime", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // `flagc serve`: OFREP remote evaluation over HTTP on Hummingbird, with health, metrics and reload events.
        .target(
            name: "FlagServer",
            dependencies: [
                "FlagReload",
                "FlagRuntime",
                "FlagServiceLifecycle",
                "FlagSignatures",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Hummingbird middleware: the request's evaluation context in a task-local, and feature gates for routes.
        .target(
            name: "FlagHummingbird",
            dependencies: ["FlagRuntime", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        // YAML front-end, validation rules, diagnostics, lowering and snapshot encoding.
        .target(name: "FlagCompiler", dependencies: ["CYAML", "FlagRuntime"]),
        // The command library behind the `flagc` executable.
        .target(
            name: "FlagCommands",
            dependencies: [
                "FlagCompiler",
                "FlagReload",
                "FlagRuntime",
                "FlagServer",
                "FlagSignatures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "CFlagcBuildInfo",
            ]
        ),
        // The commit `flagc --version` prints, when the build names it (-Xcc -DFLAGC_COMMIT="…").
        .target(name: "CFlagcBuildInfo"),
        // Typed flag handles generated at build time (`flagc generate swift`), for services' targets.
        .plugin(name: "FlagAccessors", capability: .buildTool(), dependencies: ["flagc"]),
        .executableTarget(name: "flagc", dependencies: ["FlagCommands"]),
        // A temporary git repository for tests (files, commits with fixed dates and identity, tags); Foundation only.
        .target(name: "GitTestSupport", path: "Tests/GitTestSupport"),
        .testTarget(name: "FlagRuntimeTests", dependencies: ["FlagRuntime", "FlagRuntimeTesting", "FlagSignatures"]),
        .testTarget(
            name: "FlagHummingbirdTests",
            dependencies: [
                "FlagHummingbird",
                "FlagRuntime",
                "FlagRuntimeTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "FlagObservabilityTests",
            dependencies: [
                "FlagObservability",
                "FlagRuntime",
                "FlagRuntimeTesting",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(name: "FlagReloadTests", dependencies: ["FlagReload", "FlagRuntime", "FlagRuntimeTesting", "FlagServiceLifecycle", "FlagSignatures"]),
        .testTarget(
            name: "FlagCompilerTests",
            dependencies: ["FlagCompiler", "FlagRuntime", "GitTestSupport"],
            exclude: ["Fixtures"]
        ),
        // Data-driven cases (flag files + contexts → expected results) that any runtime can replay.
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["FlagCompiler", "FlagRuntime", "FlagRuntimeTesting"],
            path: "Tests/Conformance",
            exclude: ["Suites", "README.md"]
        ),
        // flagd export: unit tests, and the differential test against OpenFeature's flagd evaluator (Python).
        .testTarget(
            name: "FlagServerTests",
            dependencies: [
                "FlagServer",
                "FlagRuntime",
                "FlagRuntimeTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "FlagdExportTests", dependencies: ["FlagCompiler", "FlagRuntime", "FlagRuntimeTesting"]),
        .testTarget(
            name: "FlagcEndToEndTests",
            dependencies: ["flagc", "FlagRuntime", "FlagRuntimeTesting", "GitTestSupport"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
