import FlagRuntime
import Foundation
import Testing

/// `flagc compile --openfeature-operator FILE`: the FeatureFlag and FeatureFlagSource are written beside the
/// snapshot as one unit, and validated against the OpenFeature Operator's CRDs (`scripts/check-openfeature-operator.py`,
/// the CRDs in $OPENFEATURE_OPERATOR_CRDS or ../shared/openfeature-operator, jsonschema and pyyaml from
/// $FLAGC_OPERATOR_PYTHON, which `.ci/run` sets to its virtual environment, else python3). Without the CRDs or the
/// Python packages, the schema tests print SKIPPED and pass.
@Suite("flagc compile --openfeature-operator")
struct OpenFeatureOperatorCompileTests {
    static let script = ScriptProcess.repositoryRoot.appendingPathComponent("scripts/check-openfeature-operator.py")

    static let crds: String = ProcessInfo.processInfo.environment["OPENFEATURE_OPERATOR_CRDS"].flatMap { $0.isEmpty ? nil : $0 }
        ?? ScriptProcess.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/openfeature-operator").path

    /// A Python with jsonschema and pyyaml, and the CRDs, or why the schema tests cannot run.
    static func validator() -> Result<String, SkipReason> {
        guard FileManager.default.fileExists(atPath: (crds as NSString).appendingPathComponent("core.openfeature.dev_featureflags.yaml")) else {
            return .failure(SkipReason(text: "the OpenFeature Operator's CRDs are not at \(crds) (set OPENFEATURE_OPERATOR_CRDS)"))
        }
        let configured = ProcessInfo.processInfo.environment["FLAGC_OPERATOR_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let python = configured ?? "python3"
        let probe = try? ScriptProcess.run([python, "-c", "import jsonschema, yaml"], in: URL(fileURLWithPath: "/"))
        guard probe?.status == 0 else {
            return .failure(SkipReason(text: "\(python) cannot import jsonschema and yaml (set FLAGC_OPERATOR_PYTHON; .ci/run does)", mustRun: configured != nil))
        }
        return .success(python)
    }

    struct SkipReason: Error {
        var text: String
        var mustRun = false
    }

    /// Runs the CRD check on `files` (in the sandbox); nil when it cannot run (SKIPPED printed).
    static func check(_ files: [String], flagd: String? = nil, in sandbox: Sandbox, test: String = #function) throws -> ScriptRun? {
        switch validator() {
        case .failure(let reason):
            if reason.mustRun { Issue.record("FLAGC_OPERATOR_PYTHON is set, but: \(reason.text)") }
            print("SKIPPED: OpenFeatureOperatorCompileTests.\(test): \(reason.text); the resources were not checked against the CRDs")
            return nil
        case .success(let python):
            return try ScriptProcess.run([python, script.path] + files + ["--crds", crds] + (flagd.map { ["--flagd", $0] } ?? []), in: sandbox.root)
        }
    }

    @Test func writesTheResourcesThenReportsThemUnchanged() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let arguments = ["compile", "project/flags", "--out", "out", "--revision", "r1", "--env", "production",
                             "--openfeature-operator", "out/k8s/openfeature.yaml", "--namespace", "billing", "--name", "billing-flags"] + fixedNow
            let first = try sandbox.flagc(arguments)
            #expect(first.status == 0, "\(first)")
            #expect(first.stderr.isEmpty, "\(first)")
            let wrote = try #require(first.stdout.wholeMatch(of: /wrote out\/snapshot\.json and out\/snapshot\.bin; wrote out\/k8s\/openfeature\.yaml \(OpenFeature Operator\): 3 flags, id ([0-9a-f]{64})\n/), "\(first)")
            #expect(try sandbox.listing("out/k8s") == ["openfeature.yaml"], "no temporary file may be left behind")
            let text = String(decoding: try sandbox.contents("out/k8s/openfeature.yaml"), as: UTF8.self)
            #expect(text.hasPrefix("# OpenFeature Operator resources for the flags of snapshot \(wrote.1),\n"), "\(text)")
            #expect(text.contains("kind: FeatureFlag\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: flagc\n  name: \"billing-flags\"\n  namespace: \"billing\"\nspec:\n  flagSpec:\n    {\n"), "\(text)")
            #expect(text.contains("\"flagSetId\": \"flagc\""), "\(text)")
            #expect(text.contains("\"environment\": \"production\""), "\(text)")
            #expect(text.hasSuffix("---\napiVersion: core.openfeature.dev/v1beta1\nkind: FeatureFlagSource\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: flagc\n  name: \"billing-flags\"\n  namespace: \"billing\"\nspec:\n  sources:\n    - provider: kubernetes\n      source: \"billing/billing-flags\"\n"), "\(text)")

            let past = Date(timeIntervalSince1970: 1_000_000_000)
            try sandbox.setModificationDate(past, of: "out/k8s/openfeature.yaml")
            let second = try sandbox.flagc(arguments)
            #expect(second.stdout == "unchanged out/snapshot.json and out/snapshot.bin; unchanged out/k8s/openfeature.yaml (OpenFeature Operator): 3 flags, id \(wrote.1)\n", "\(second)")
            #expect(try sandbox.modificationDate("out/k8s/openfeature.yaml") == past, "unchanged resources must not be rewritten")
        }
    }

    @Test func usageErrors() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try FileManager.default.createDirectory(at: sandbox.url("folder"), withIntermediateDirectories: true)
            let cases: [([String], String)] = [
                (["--namespace", "prod"], "error: --namespace needs --openfeature-operator FILE"),
                (["--name", "prod"], "error: --name needs --openfeature-operator FILE"),
                (["--openfeature-operator", "folder"], "error: --openfeature-operator 'folder' is a folder"),
                (["--openfeature-operator", "k8s.yaml", "--namespace", "Prod"], "error: --namespace: 'Prod' is not a Kubernetes namespace (an RFC 1123 label): use only lowercase letters, digits and '-'"),
                (["--openfeature-operator", "k8s.yaml", "--namespace", "a.b"], "error: --namespace: 'a.b' is not a Kubernetes namespace"),
                (["--openfeature-operator", "k8s.yaml", "--name", "flags_prod"], "error: --name: 'flags_prod' is not a Kubernetes name (an RFC 1123 subdomain)"),
            ]
            for (options, message) in cases {
                let run = try sandbox.flagc(["compile", "flags", "--out", "out"] + options + fixedNow)
                #expect(run.status == 2, "\(run)")
                #expect(run.stderr.hasPrefix(message), "\(run)")
            }
            #expect(!sandbox.exists("out") && !sandbox.exists("k8s.yaml"), "a usage error writes nothing")
            // --flagd-flag-set-id sets the flagSpec's flagSetId too.
            let setID = try sandbox.flagc(["compile", "flags", "--out", "out", "--openfeature-operator", "k8s.yaml", "--flagd-flag-set-id", "demo-set"] + fixedNow)
            #expect(setID.status == 0, "\(setID)")
            #expect(String(decoding: try sandbox.contents("k8s.yaml"), as: UTF8.self).contains("\"flagSetId\": \"demo-set\""))
        }
    }

    @Test func aFlagFlagdCannotReadWritesNothing() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", """
                flags:
                  demo.dotted:
                    description: Dotted attribute
                    owner: team-demo
                    default: false
                    rules:
                      - name: pro users
                        when: { attributes: { user.plan: [pro] } }
                        serve: true

                """)
            let run = try sandbox.flagc(["compile", "flags", "--out", "out", "--openfeature-operator", "out/openfeature.yaml"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.contains("error[flagd-export]: flag 'demo.dotted', rule 1 (\"pro users\")"), "\(run)")
            #expect(run.stderr.contains("nothing written: flagd cannot evaluate these flags as flagc does; fix them or compile without --openfeature-operator\n"), "\(run)")
            #expect(!sandbox.exists("out"), "neither the snapshot nor the resources may be written")
        }
    }

    /// The repository's flags/ (with and without an environment) and the fixture project, against the CRDs; the
    /// flagSpec as YAML readers read it equals the flagd export of the same compile.
    @Test func theResourcesAreValidAgainstTheOperatorsCRDs() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let repositoryFlags = ScriptProcess.repositoryRoot.appendingPathComponent("flags").path
            let compiles: [(String, [String])] = [
                ("repo", [repositoryFlags]),
                ("repo-production", [repositoryFlags, "--env", "production", "--namespace", "flags", "--name", "flags.production"]),
                ("project", ["project/flags", "--flagd-flag-set-id", "project"]),
            ]
            for (name, options) in compiles {
                let run = try sandbox.flagc(["compile"] + options + ["--out", "out-\(name)", "--flagd", "\(name).flagd.json", "--openfeature-operator", "\(name).yaml"] + fixedNow)
                try #require(run.status == 0, "\(run)")
                guard let check = try Self.check(["\(name).yaml"], flagd: "\(name).flagd.json", in: sandbox) else { return }
                #expect(check.status == 0, "\(check)")
                #expect(check.stdout.hasSuffix("0 problem(s) in 1 file(s) (CRDs: \(Self.crds))\n"), "\(check)")
            }
        }
    }

    /// The check can fail: a field the CRD does not declare, a missing defaultVariant, a wrong state, a source
    /// naming no FeatureFlag, and a flagSpec that YAML reads differently from the flagd document.
    @Test func theCheckFindsWhatTheOperatorWouldRefuse() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let run = try sandbox.flagc(["compile", "flags", "--out", "out", "--flagd", "flagd.json", "--openfeature-operator", "good.yaml"] + fixedNow)
            try #require(run.status == 0, "\(run)")
            let good = String(decoding: try sandbox.contents("good.yaml"), as: UTF8.self)
            let edits: [(String, String, String)] = [
                (#""defaultVariant": "false","#, #""$schema": "x", "defaultVariant": "false","#, #"error at ["spec"]["flagSpec"]["flags"]["demo.feature"]["$schema"]: not declared by the CRD"#),
                (#""defaultVariant": "false","#, "", #"error at ["spec"]["flagSpec"]["flags"]["demo.feature"]: 'defaultVariant' is a required property"#),
                (#""state": "ENABLED""#, #""state": "ON""#, #"error at ["spec"]["flagSpec"]["flags"]["demo.feature"]["state"]: 'ON' is not one of ['ENABLED', 'DISABLED']"#),
                (#"source: "default/flagc""#, #"source: "default/other""#, #"source 'default/other' names no FeatureFlag in the files"#),
                (#"  name: "flagc"\#n  namespace: "default"\#nspec:\#n  flagSpec"#, #"  name: "Flagc"\#n  namespace: "default"\#nspec:\#n  flagSpec"#, #"error at ["metadata"]["name"]: 'Flagc' is not an RFC 1123 subdomain"#),
                (#""false": false"#, #""false": "false""#, #"error at ["spec"]["flagSpec"]: differs from the flagd document given with --flagd"#),
            ]
            for (index, (original, replacement, message)) in edits.enumerated() {
                #expect(good.contains(original), "the edit applies: \(original)")
                try sandbox.write("bad\(index).yaml", good.replacingOccurrences(of: original, with: replacement))
                guard let check = try Self.check(["bad\(index).yaml"], flagd: "flagd.json", in: sandbox) else { return }
                #expect(check.status == 1, "\(check)")
                #expect(check.stdout.contains(message), "\(check)")
            }
        }
    }
}
