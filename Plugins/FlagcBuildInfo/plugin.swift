import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` before each build of the target it is applied to: the git commit the package's sources
/// were built from (`git rev-parse HEAD`, with `-dirty` when the work tree has changes), or nil outside a git
/// checkout. `flagc --version` prints it beside the version, so a binary says which sources it came from.
///
/// It is a prebuild command run by `/bin/sh` (a system tool, as prebuild commands need), and the file is rewritten
/// only when its text changes, so an unchanged checkout does not recompile the target.
@main
struct FlagcBuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuildInfo.swift")
        let script = #"""
            package="$1"; output="$2"
            commit=$(git -C "$package" rev-parse HEAD 2>/dev/null) || commit=""
            if [ -n "$commit" ] && [ -n "$(git -C "$package" status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-dirty"; fi
            if [ -n "$commit" ]; then value="\"$commit\""; else value="nil"; fi
            text="// Written by the FlagcBuildInfo plugin before each build; do not edit.
            enum FlagcBuildInfo {
                /// The git commit the sources were built from (with -dirty for local changes); nil outside a checkout.
                static let commit: String? = $value
            }"
            mkdir -p "$(dirname "$output")"
            if [ ! -f "$output" ] || [ "$(cat "$output")" != "$text" ]; then printf '%s\n' "$text" > "$output.tmp" && mv "$output.tmp" "$output"; fi
            """#
        return [
            .prebuildCommand(
                displayName: "Record the git commit for flagc --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "flagc-build-info", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output.deletingLastPathComponent()
            ),
        ]
    }
}
