import Foundation
import PackagePlugin

/// Generates typed flag handles for the target it is applied to, at build time, from the project's flag files:
/// what `flagc generate swift` writes, as `FlagAccessors.swift` in the build folder. A removed or misspelled flag is
/// then a compile error in the code that reads it, and a flag past its `expires` a deprecation warning.
///
/// The flags are the first of: a `flags` folder in the target's folder, a `flags` folder at the package's root.
/// The file is written again whenever a flag file (or `flagc.yaml`) changes.
///
/// ```swift
/// .executableTarget(name: "Service", dependencies: [.product(name: "FlagRuntime", package: "flagc")],
///                   plugins: [.plugin(name: "FlagAccessors", package: "flagc")])
/// ```
@main
struct FlagAccessors: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let candidates = [target.directoryURL.appendingPathComponent("flags"), context.package.directoryURL.appendingPathComponent("flags")]
        guard let folder = candidates.first(where: { isFolder($0) }) else {
            Diagnostics.error("FlagAccessors found no flag files for target '\(target.name)': looked for \(candidates.map(\.path).joined(separator: " and ")); add a flags folder there")
            return []
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("FlagAccessors.swift")
        return [
            .buildCommand(
                displayName: "Generate flag accessors from \(folder.lastPathComponent)/",
                executable: try context.tool(named: "flagc").url,
                arguments: ["generate", "swift", folder.path, "--out", output.path],
                inputFiles: yamlFiles(in: folder),
                outputFiles: [output]
            ),
        ]
    }

    private func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Every `*.yaml` and `*.yml` below `folder`, sorted, so that changing any of them regenerates the file.
    private func yamlFiles(in folder: URL) -> [URL] {
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = walker?.nextObject() as? URL {
            if url.pathExtension == "yaml" || url.pathExtension == "yml" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }
}
