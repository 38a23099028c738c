// swift-tools-version: 6.1
// A package that applies the FlagAccessors plugin, for scripts/check-flag-accessors-plugin.sh: it builds a copy of
// this folder at the same depth below the repository's root (so `../../..` is the root), and changes the copy to
// check that a misspelled or removed flag does not compile and that an expired one warns.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so flagc's identity is the checkout's folder name.
let flagc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "FlagAccessorsPackage",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../../..")],
    targets: [
        // Its flags are in Sources/Checkout/flags, the first place the plugin looks.
        .target(
            name: "Checkout",
            dependencies: [.product(name: "FlagRuntime", package: flagc)],
            exclude: ["flags"],
            plugins: [.plugin(name: "FlagAccessors", package: flagc)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
