import FlagRuntime
import Foundation

/// Where flags are used in code: the result of `flagc refs`.
///
/// Each file is read once and scanned once by a `ReferenceMatcher` holding every flag's names (its key, its
/// camelCase accessor name and the `refs.patterns` of `flagc.yaml`), the files in parallel. A quoted dotted
/// string that no flag defines is an unknown key when it is close to a defined key (a did-you-mean) or follows
/// the naming pattern under a module (first segment) some flag uses.
///
/// ```swift
/// let scan = ReferenceScan.run(keys: ["billing.invoice_auto_generate"], config: ProjectConfig(), files: ["App.swift"])
/// for flag in scan.flags where flag.references.isEmpty { print("\(flag.key) has no reference") }
/// ```
package struct ReferenceScan: Sendable {
    /// A place in a source file: 1-based line, and column in UTF-8 bytes.
    package struct Location: Sendable, Hashable, Comparable {
        package var file: String
        package var line: Int
        package var column: Int

        package static func < (a: Location, b: Location) -> Bool {
            (a.file, a.line, a.column) < (b.file, b.line, b.column)
        }
    }

    /// One flag and where it is used, in file and line order.
    package struct FlagReferences: Sendable {
        package var key: String
        package var references: [Location]
    }

    /// A quoted string in code that looks like a flag key no flag defines.
    package struct UnknownKey: Sendable {
        package var location: Location
        package var key: String
        /// The defined key it is closest to, when one is close.
        package var suggestion: String?
    }

    /// What happened to the files listed.
    package struct FileCounts: Sendable, Equatable {
        package var scanned = 0
        package var bytes = 0
        /// Files with a NUL byte in their first 8 KiB.
        package var binary = 0
        /// Files larger than the size limit.
        package var tooLarge = 0
        /// Files that could not be read (not regular files, permissions).
        package var unreadable = 0
    }

    /// Every flag, sorted by key.
    package var flags: [FlagReferences]
    /// Every unknown key, by location.
    package var unknownKeys: [UnknownKey]
    package var files: FileCounts

    /// The largest file scanned by default; larger ones are counted and skipped.
    package static let defaultSizeLimit = 4 << 20
    /// How far into a file a NUL byte makes it binary.
    static let binaryProbeLength = 8 << 10

    private enum FileOutcome: Sendable {
        case scanned(bytes: Int, references: [(flag: Int, location: Location)], candidates: [(text: String, location: Location)])
        case binary, tooLarge, unreadable, missing
    }

    /// Scans `files` for the flags `keys`.
    package static func run(keys: [String], config: ProjectConfig, files: [String], sizeLimit: Int = defaultSizeLimit) -> ReferenceScan {
        let keys = Array(Set(keys)).sorted()
        var names: [(name: String, value: Int)] = []
        for (index, key) in keys.enumerated() { names.append((key, index)) }
        for pattern in ReferencePattern.builtIn.dropFirst() + config.referencePatterns {
            for (index, key) in keys.enumerated() { names.append((pattern.expand(key), index)) }
        }
        let matcher = ReferenceMatcher(names: names)
        let outcomes = ConcurrentMap.map(files) { path in scanFile(path, matcher: matcher, sizeLimit: sizeLimit) }

        var references = [[Location]](repeating: [], count: keys.count)
        var counts = FileCounts()
        var candidates: [(text: String, location: Location)] = []
        for outcome in outcomes {
            switch outcome {
            case .scanned(let bytes, let found, let quoted):
                counts.scanned += 1
                counts.bytes += bytes
                for (flag, location) in found { references[flag].append(location) }
                candidates += quoted
            case .binary: counts.binary += 1
            case .tooLarge: counts.tooLarge += 1
            case .unreadable: counts.unreadable += 1
            case .missing: break
            }
        }
        // Each distinct string is classified once, in parallel: with 10,000 flags the edit distances are most of the run.
        let classifier = UnknownKeyClassifier(keys: keys, config: config)
        let distinct = Array(Set(candidates.map(\.text)))
        let verdicts = Dictionary(uniqueKeysWithValues: zip(distinct, ConcurrentMap.map(distinct) { classifier.classify($0) }))
        var unknown: [UnknownKey] = []
        for (text, location) in candidates {
            if case .some(let suggestion) = verdicts[text] ?? nil { unknown.append(UnknownKey(location: location, key: text, suggestion: suggestion)) }
        }
        return ReferenceScan(
            flags: keys.enumerated().map { FlagReferences(key: $1, references: references[$0].sorted()) },
            unknownKeys: unknown.sorted { $0.location < $1.location },
            files: counts
        )
    }

    private static func scanFile(_ path: String, matcher: ReferenceMatcher, sizeLimit: Int) -> FileOutcome {
        let bytes: [UInt8]
        do {
            bytes = try RegularFileReader.read(path, limit: sizeLimit).bytes
        } catch {
            switch error.kind {
            case .tooLarge, .grewPastLimit: return .tooLarge
            case .missing: return .missing
            default: return .unreadable
            }
        }
        if bytes.prefix(binaryProbeLength).contains(0) { return .binary }
        let hits = matcher.scan(bytes)
        var references: [(flag: Int, location: Location)] = []
        var candidates: [(text: String, location: Location)] = []
        // Lines are counted only up to each hit, once: the hits come in file order.
        var line = 1
        var lineStart = 0
        var counted = 0
        for hit in hits {
            while counted < hit.start {
                if bytes[counted] == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = counted + 1
                }
                counted += 1
            }
            let location = Location(file: path, line: line, column: hit.start - lineStart + 1)
            if hit.name >= 0 {
                references.append((hit.name, location))
            } else {
                candidates.append((String(decoding: bytes[hit.start..<hit.end], as: UTF8.self), location))
            }
        }
        return .scanned(bytes: bytes.count, references: references, candidates: candidates)
    }
}

/// Decides whether a quoted dotted string that no flag defines is an unknown key.
struct UnknownKeyClassifier: Sendable {
    let suggestions: Suggestions.Index
    let config: ProjectConfig
    /// The first segments of the defined keys.
    let modules: Set<Substring>

    init(keys: [String], config: ProjectConfig) {
        self.suggestions = Suggestions.Index(keys)
        self.config = config
        self.modules = Set(keys.compactMap { $0.split(separator: ".").first })
    }

    /// nil when `text` is not an unknown key; otherwise the did-you-mean, if any (`.some(nil)`: it follows the
    /// naming pattern under a known module, but is close to no key).
    func classify(_ text: String) -> String?? {
        // `".json"`, `"a..b"`, `"v1."`: no key has an empty segment.
        if text.hasPrefix(".") || text.hasSuffix(".") || text.contains("..") { return nil }
        if let suggestion = suggestions.closest(to: text) { return .some(suggestion) }
        if let module = text.split(separator: ".").first, modules.contains(module), config.keyFollowsConvention(text) {
            return .some(nil)
        }
        return nil
    }
}
