// libFuzzer entry point over the YAML front-end: `FlagCompiler.compile(sources:)` on the input bytes.
//
// The input is one flag file, "fuzz.yaml", unless it contains a 0x00 byte: then it is split at the first one
// into two files, "fuzz.yaml" (before) and "fuzz-2.yaml" (after, passed as is, further 0x00 bytes included), so
// cross-file rules (a segment declared in one file and used in the other, a key defined twice) are exercised.
// There is no mode byte: YAML text cannot hold 0x00, and plain flag files work as seeds unchanged
// (Fuzz/Seeds/flag-files). "Now" is fixed (2026-01-01T00:00:00Z) so date rules do not depend on the clock.
//
// Invariants (a violation stops the fuzzer):
// 1. every diagnostic (and every related place) names one of the input files, and its location, when it has
//    one, has line >= 1 and column >= 1;
// 2. there is a snapshot if and only if there is no error-severity diagnostic;
// 3. a snapshot's JSON and binary forms both load with `SnapshotLoader.load(bytes:)` to an equal snapshot;
// 4. compiling the same input again gives equal diagnostics and an equal snapshot.
//
// With FLAG_FILE_FUZZER_VERBOSE=1 in the environment it prints each input's diagnostics and flag count, which
// helps when triaging a finding or checking that a seed compiles (`FlagFileFuzzer -runs=1 FILE`).
import FlagCompiler
import FlagRuntime

#if canImport(Glibc)
import Glibc
#endif

let compiler = FlagCompiler(options: .init(paths: [], now: 1_767_225_600))
let verbose = getenv("FLAG_FILE_FUZZER_VERBOSE").map { String(cString: $0) == "1" } ?? false

@_cdecl("LLVMFuzzerTestOneInput")
public func flagFileFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let sources: [FlagCompiler.SourceText]
    if let split = bytes.firstIndex(of: 0) {
        sources = [
            FlagCompiler.SourceText(path: "fuzz.yaml", bytes: Array(bytes[..<split])),
            FlagCompiler.SourceText(path: "fuzz-2.yaml", bytes: Array(bytes[(split + 1)...])),
        ]
    } else {
        sources = [FlagCompiler.SourceText(path: "fuzz.yaml", bytes: bytes)]
    }
    let paths = Set(sources.map(\.path))

    let result = compiler.compile(sources: sources)
    if verbose {
        for diagnostic in result.diagnostics { print(diagnostic) }
        print(result.snapshot.map { "snapshot: \($0.flags.count) flags" } ?? "no snapshot")
    }

    // 1. Locations and files.
    for diagnostic in result.diagnostics {
        precondition(paths.contains(diagnostic.file), "diagnostic names file '\(diagnostic.file)': \(diagnostic)")
        if let location = diagnostic.location {
            precondition(location.line >= 1 && location.column >= 1, "diagnostic at \(location): \(diagnostic)")
        }
        for related in diagnostic.related {
            precondition(paths.contains(related.file), "related place names file '\(related.file)': \(diagnostic)")
            precondition(
                related.location.line >= 1 && related.location.column >= 1,
                "related place at \(related.location): \(diagnostic)"
            )
        }
    }

    // 2. A snapshot exactly when there is no error.
    let hasError = result.diagnostics.contains { $0.severity == .error }
    precondition(
        (result.snapshot != nil) == !hasError,
        hasError ? "a snapshot despite an error" : "no snapshot and no error: \(result.diagnostics)"
    )

    // 3. The runtime loads whatever the compiler produces, in both forms.
    if let snapshot = result.snapshot {
        let json = snapshot.jsonBytes()
        do {
            let loaded = try SnapshotLoader.load(bytes: json)
            precondition(loaded == snapshot, "the JSON form loads to a different snapshot")
        } catch {
            fatalError("the runtime refuses the compiler's JSON snapshot: \(error)")
        }
        let binary: [UInt8]
        do {
            binary = try snapshot.binaryBytes()
        } catch {
            fatalError("the compiler's snapshot cannot be encoded as binary: \(error)")
        }
        do {
            let loaded = try SnapshotLoader.load(bytes: binary)
            precondition(loaded == snapshot, "the binary form loads to a different snapshot")
        } catch {
            fatalError("the runtime refuses the compiler's binary snapshot: \(error)")
        }
    }

    // 4. Determinism.
    let again = compiler.compile(sources: sources)
    precondition(again.diagnostics == result.diagnostics, "a second compile gave other diagnostics")
    precondition(again.snapshot == result.snapshot, "a second compile gave another snapshot")
    return 0
}

/// libFuzzer's driver, for the entry point below.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links executables with `main` renamed to `<target>_main` (so tests can link them), which hides
/// libFuzzer's own `main`; this entry point hands over to libFuzzer's driver instead.
@_cdecl("FlagFileFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, flagFileFuzzer)
}
