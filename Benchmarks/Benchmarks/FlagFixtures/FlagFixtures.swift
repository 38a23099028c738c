import FlagCompiler
import FlagRuntime
import Foundation

/// Realistic generated inputs for the benchmarks: a Swift port of `scripts/generate-flags.py` (same output for
/// the same arguments), plus the hand-written flags the evaluation benchmarks evaluate.
public enum FlagGenerator {
    /// The YAML of generated flag `i` in `module` (the Python generator's `flag(i, module)`).
    static func flag(_ i: Int, module: String) -> String {
        let key = "\(module).feature_\(i).enabled"
        var head = "  \(key):\n    description: Generated flag \(i).\n    owner: team-\(module)\n"
        if i % 2 == 0 { head += "    expires: 2030-12-31\n    metadata: { ticket: GEN-\(i) }\n" }
        switch i % 8 {
        case 0:
            return head + "    default: false\n    rules:\n"
                + "      - name: pilot tenants\n        when:\n          tenants: [acme, globex, initech]\n"
                + "        until: 2030-01-01T00:00:00Z\n        serve: true\n"
                + "      - rollout: 25\n"
        case 1:
            return head + "    default: false\n    rules:\n      - when:\n          environments: [staging, development]\n        serve: true\n"
        case 2:
            return head + "    variants:\n      blue: \"#1f6feb\"\n      green: \"#2da44e\"\n      red: \"#cf222e\"\n"
                + "    default: blue\n    rules:\n      - when:\n          segments: [internal_staff]\n        serve: green\n"
                + "      - when:\n          attributes:\n            plan: [pro, enterprise]\n            app_version: { semver_gte: 2.4.0 }\n"
                + "        split: { blue: 33.33, green: 33.33, red: 33.34 }\n        bucket_by: tenant\n"
        case 3:
            return head + "    default: false\n    rules:\n      - when:\n          users: [user-1, user-2, user-3, beta_user@example.com]\n"
                + "        serve: true\n      - when:\n          groups: [beta, staff]\n        serve: true\n"
        case 4:
            return head + "    variants:\n      low: 100\n      high: 1000\n    default: low\n    rules:\n"
                + "      - when:\n          attributes:\n            seats: { gte: 50, lt: 5000 }\n        serve: high\n"
        case 5:
            return head + "    default: false\n    rules:\n      - from: 2026-12-01T00:00:00Z\n        until: 2030-12-26T00:00:00Z\n        serve: true\n"
        case 6:
            return head + "    variants:\n      compact: { columns: 2, dense: true }\n      roomy: { columns: 3, dense: false }\n"
                + "    default: compact\n    rules:\n      - when:\n          attributes:\n            email: { ends_with: \"@example.com\" }\n"
                + "        serve: roomy\n"
        default:
            return head + "    default: true\n"
        }
    }

    /// The generated files as (file name, YAML), like `generate-flags.py OUT --flags N --files F`.
    public static func files(flags: Int, files: Int = 100) -> [(name: String, yaml: String)] {
        let perFile = (flags + files - 1) / files
        var result: [(name: String, yaml: String)] = []
        for f in 0..<files {
            let module = "mod" + (f < 10 ? "00" : f < 100 ? "0" : "") + String(f)
            let start = f * perFile
            let end = min(flags, start + perFile)
            if start >= end { break }
            var body = "module: \(module)\nflags:\n"
            for i in start..<end { body += flag(i, module: module) }
            if f == 0 {
                body += "segments:\n  internal_staff:\n    when:\n      attributes:\n        email: { ends_with: \"@example.com\" }\n"
            }
            result.append((name: "\(module).yaml", yaml: body))
        }
        return result
    }

    /// Writes `flags` generated flags (and any `extra` files) into a new temporary folder and returns its path.
    public static func writeFolder(flags: Int, files: Int = 100, extra: [(name: String, yaml: String)] = []) throws -> String {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("flagc-bench-\(flags)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in Self.files(flags: flags, files: files) + extra {
            try Data(file.yaml.utf8).write(to: folder.appendingPathComponent(file.name))
        }
        return folder.path
    }
}

public enum FlagFixtures {
    /// The "now" every benchmark compiles at: 2026-01-01T00:00:00Z.
    public static let now: Int64 = 1_767_225_600

    /// Compiles the folder; fails loudly if the compiler reports an error.
    public static func compile(_ folder: String) -> Snapshot {
        let result: FlagCompiler.Result
        do {
            result = try FlagCompiler(options: .init(paths: [folder], now: now)).compile()
        } catch {
            fatalError("compiling \(folder) failed: \(error)")
        }
        guard let snapshot = result.snapshot else {
            fatalError("compiling \(folder) failed:\n" + result.diagnostics.map { "\($0)" }.joined(separator: "\n"))
        }
        return snapshot
    }

    /// Generates and compiles `flags` flags (plus `extra` files).
    public static func snapshot(flags: Int, extra: [(name: String, yaml: String)] = []) -> Snapshot {
        let folder: String
        do { folder = try FlagGenerator.writeFolder(flags: flags, extra: extra) } catch { fatalError("\(error)") }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return compile(folder)
    }

    /// The flags the evaluation benchmarks evaluate, in module `bench`.
    public static var benchFile: (name: String, yaml: String) {
        let users = (0..<1_000).map { "user-\($0)" }.joined(separator: ", ")
        let tenants = (0..<50).map { "tenant-\($0)" }.joined(separator: ", ")
        let yaml = """
        module: bench
        flags:
          bench.static:
            description: A static boolean.
            owner: team-bench
            default: true
          bench.targeted:
            description: Five targeting rules; the fifth matches the benchmark context.
            owner: team-bench
            default: false
            rules:
              - name: allow list
                when:
                  users: [\(users)]
                serve: true
              - name: pilot tenants
                when:
                  tenants: [\(tenants)]
                serve: true
              - name: new app versions
                when:
                  attributes:
                    app_version: { semver_gte: 9.0.0 }
                serve: true
              - name: large accounts
                when:
                  attributes:
                    seats: { gte: 5000 }
                    plan: [enterprise]
                serve: true
              - name: paying, recent app, mid-size
                when:
                  attributes:
                    plan: [pro, enterprise]
                    app_version: { semver_gte: 2.4.0, semver_lt: 3.0.0 }
                    seats: { gte: 10, lt: 5000 }
                serve: true
          bench.split:
            description: A four-way A/B/C/D split.
            owner: team-bench
            variants:
              a: "layout-a"
              b: "layout-b"
              c: "layout-c"
              d: "layout-d"
            default: a
            rules:
              - split: { a: 25, b: 25, c: 25, d: 25 }
          bench.rollout:
            description: A 50% rollout.
            owner: team-bench
            default: false
            rules:
              - rollout: 50
          bench.segment:
            description: Served to the staff segment.
            owner: team-bench
            default: false
            rules:
              - when:
                  segments: [bench_staff]
                serve: true
        segments:
          bench_staff:
            when:
              attributes:
                email: { ends_with: "@example.com" }
                plan: [pro, enterprise]

        """
        return (name: "bench.yaml", yaml: yaml)
    }

    /// The context every evaluation benchmark uses: not in the users or tenants lists, so the 5-rule flag
    /// is decided by its fifth rule.
    public static let context = EvaluationContext(targetingKey: "user-424242", attributes: [
        "tenant": "tenant-9999",
        "plan": "pro",
        "app_version": "2.5.1",
        "seats": 25,
        "email": "dev@example.com",
        "groups": ["beta"],
    ])
}
