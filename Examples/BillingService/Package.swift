// swift-tools-version: 6.1
// An example service: flags in a Hummingbird 2 application through FlagHummingbird (the request's evaluation
// context from its headers, routes gated by flags), read through the typed handles that the FlagAccessors plugin
// generates from flags/, with HummingbirdTesting tests. Its own package, so that Hummingbird reaches only the
// services that use it. Built and tested by the root's .ci/run:
//   swift build --package-path Examples/BillingService && swift test --package-path Examples/BillingService
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so flagc's identity is the checkout's folder name.
let flagc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "BillingService",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // The service's routes, as a library so the tests build the same router the server runs. The FlagAccessors
        // plugin generates its `Flags` handles from flags/ at build time.
        .target(
            name: "BillingService",
            dependencies: [
                .product(name: "FlagHummingbird", package: flagc),
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            plugins: [.plugin(name: "FlagAccessors", package: flagc)]
        ),
        // The server: serves the routes with a store that a file watcher keeps up to date.
        .executableTarget(
            name: "billing-service",
            dependencies: [
                "BillingService",
                .product(name: "FlagReload", package: flagc),
                .product(name: "FlagServiceLifecycle", package: flagc),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "BillingServiceTests",
            dependencies: [
                "BillingService",
                .product(name: "FlagRuntime", package: flagc),
                .product(name: "FlagRuntimeTesting", package: flagc),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            // The compiled flags/ (snapshot.json, snapshot.bin), read by path.
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
