import FlagRuntime

/// Writes a snapshot as OpenFeature Operator resources: a `FeatureFlag` (`core.openfeature.dev/v1beta1`) whose
/// `flagSpec` is the flagd export, and a `FeatureFlagSource` that points the operator's injected flagd sidecars at
/// it, as one YAML file with two documents for `kubectl apply -f`.
///
/// ```swift
/// let bytes = try OpenFeatureOperatorExporter(name: "checkout-flags", namespace: "checkout").bytes(for: snapshot)
/// try SnapshotFile.writeAtomically(bytes, to: "build/openfeature.yaml")
/// ```
///
/// The resources are block YAML with sorted keys; the `flagSpec` is embedded as JSON (a YAML flow node, laid out
/// as in the flagd export, see `YAMLFlowJSON`). The same snapshot gives the same bytes. Pods opt in with the
/// annotations `openfeature.dev/enabled: "true"` and `openfeature.dev/featureflagsource: "NAMESPACE/NAME"`
/// (docs/kubernetes.md).
public struct OpenFeatureOperatorExporter: Sendable {
    /// The name of both resources when none is given.
    public static let defaultName = "flagc"
    /// The namespace of both resources when none is given.
    public static let defaultNamespace = "default"
    /// The API version of both resources.
    public static let apiVersion = "core.openfeature.dev/v1beta1"

    /// The `metadata.name` of the `FeatureFlag` and of the `FeatureFlagSource`.
    public var name: String
    /// The `metadata.namespace` of both resources (also in the source's `NAMESPACE/NAME` reference).
    public var namespace: String
    /// Writes the `flagSpec`.
    public var flagd: FlagdExporter

    /// Creates an exporter.
    public init(name: String = OpenFeatureOperatorExporter.defaultName, namespace: String = OpenFeatureOperatorExporter.defaultNamespace, flagSetID: String = FlagdExporter.defaultFlagSetID) {
        self.name = name
        self.namespace = namespace
        self.flagd = FlagdExporter(flagSetID: flagSetID)
    }

    /// `NAMESPACE/NAME`: what the `FeatureFlagSource` and the pod annotation refer to.
    public var reference: String { "\(namespace)/\(name)" }

    /// The `FeatureFlag`'s `spec.flagSpec`: the flagd document without `$schema`, which the CRD does not declare
    /// (the API server would prune it, and `kubectl diff` would show it as a change forever). Throws when flagd
    /// cannot express a flag, or the CRD would refuse it.
    public func flagSpec(for snapshot: Snapshot) throws(FlagdExportError) -> JSONValue {
        guard case .object(var members) = try flagd.document(for: snapshot) else { return .object([:]) }
        members["$schema"] = nil
        let flagSpec = JSONValue.object(members)
        let problems = Self.crdProblems(flagSpec)
        guard problems.isEmpty else { throw FlagdExportError(problems: problems) }
        return flagSpec
    }

    /// The YAML file: a comment saying how to use it, the `FeatureFlag`, `---`, the `FeatureFlagSource`.
    public func bytes(for snapshot: Snapshot) throws(FlagdExportError) -> [UInt8] {
        let flagSpec = YAMLFlowJSON.embeddable(JSONWriter(style: .pretty(indentingTo: FlagdExporter.indentedDepth)).bytes(try flagSpec(for: snapshot)))
        let specLines = String(decoding: flagSpec, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var text = """
            # OpenFeature Operator resources for the flags of snapshot \(snapshot.id),
            # written by `flagc compile --openfeature-operator`. Apply with `kubectl apply --server-side -f FILE`;
            # pods that annotate themselves with
            #   openfeature.dev/enabled: "true"
            #   openfeature.dev/featureflagsource: "\(reference)"
            # get a flagd sidecar serving these flags (docs/kubernetes.md).

            """
        text += header(kind: "FeatureFlag")
        text += "spec:\n  flagSpec:\n"
        for line in specLines where !line.isEmpty {
            text += "    \(line)\n"
        }
        text += "---\n"
        text += header(kind: "FeatureFlagSource")
        text += "spec:\n  sources:\n    - provider: kubernetes\n      source: \(Self.quoted(reference))\n"
        return Array(text.utf8)
    }

    /// `apiVersion`, `kind` and `metadata` of one resource. Names are quoted: `true`, `null` and `1e3` are
    /// valid Kubernetes names that YAML would otherwise read as other types.
    private func header(kind: String) -> String {
        """
        apiVersion: \(Self.apiVersion)
        kind: \(kind)
        metadata:
          labels:
            app.kubernetes.io/managed-by: flagc
          name: \(Self.quoted(name))
          namespace: \(Self.quoted(namespace))

        """
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: YAMLFlowJSON.embeddable(JSONWriter(style: .compact).bytes(.string(text))), as: UTF8.self)
    }

    // MARK: What the CRD requires

    /// What the `FeatureFlag` CRD's schema refuses in a `flagSpec`, one problem per flag: every flag needs
    /// `state` (`ENABLED` or `DISABLED`), `variants` and a `defaultVariant` naming one of them (flagd's own
    /// schema leaves `defaultVariant` optional; the operator's does not).
    static func crdProblems(_ flagSpec: JSONValue) -> [FlagdExportError.Problem] {
        guard let flags = flagSpec["flags"]?.objectValue else {
            return [.init(flagKey: "", message: "the flagSpec has no 'flags' object, which the FeatureFlag CRD requires")]
        }
        var problems: [FlagdExportError.Problem] = []
        for key in flags.keys.sorted(by: { precedesByUTF8($0, $1) }) {
            let flag = flags[key] ?? .null
            guard let variants = flag["variants"]?.objectValue else {
                problems.append(.init(flagKey: key, message: "has no variants, which the OpenFeature Operator's FeatureFlag requires; give the flag variants"))
                continue
            }
            if let state = flag["state"]?.stringValue, state == "ENABLED" || state == "DISABLED" {} else {
                problems.append(.init(flagKey: key, message: "has no state ENABLED or DISABLED, which the OpenFeature Operator's FeatureFlag requires"))
            }
            guard let defaultVariant = flag["defaultVariant"]?.stringValue else {
                problems.append(.init(flagKey: key, message: "has no default variant, which the OpenFeature Operator's FeatureFlag requires (defaultVariant); give the flag a default"))
                continue
            }
            if variants[defaultVariant] == nil {
                problems.append(.init(flagKey: key, message: "its default variant '\(defaultVariant)' is not one of its variants; the OpenFeature Operator's flagd could not serve it"))
            }
        }
        return problems
    }

    // MARK: Kubernetes names

    /// Why `name` cannot name the resources (an RFC 1123 subdomain: at most 253 lowercase letters, digits, `-`
    /// and `.`, starting and ending with a letter or digit), or nil.
    public static func nameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 253 else { return "a Kubernetes name has 1 to 253 characters" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if let problem = labelProblem(label) { return "'\(name)' is not a Kubernetes name (an RFC 1123 subdomain): \(problem)" }
        }
        return nil
    }

    /// Why `namespace` cannot be a namespace (an RFC 1123 label: at most 63 lowercase letters, digits and `-`,
    /// starting and ending with a letter or digit), or nil.
    public static func namespaceProblem(_ namespace: String) -> String? {
        guard !namespace.isEmpty, namespace.utf8.count <= 63 else { return "a Kubernetes namespace has 1 to 63 characters" }
        return labelProblem(Substring(namespace)).map { "'\(namespace)' is not a Kubernetes namespace (an RFC 1123 label): \($0)" }
    }

    private static func labelProblem(_ label: Substring) -> String? {
        let bytes = Array(label.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = bytes.first, let last = bytes.last else { return "empty parts are not allowed" }
        guard bytes.count <= 63 else { return "each part has at most 63 characters" }
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else {
            return "use only lowercase letters, digits and '-'"
        }
        guard isAlphanumeric(first), isAlphanumeric(last) else { return "start and end with a lowercase letter or digit" }
        return nil
    }
}
