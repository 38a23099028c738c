/// One flag's result for a remote caller (`flagc serve`'s OFREP endpoints): the evaluation, or the news that
/// the flag hashes the targeting key and the context has none.
package enum RemoteEvaluation: Sendable {
    /// The flag was evaluated (or not found: `details.errorCode == .flagNotFound`, and no `metadata`), with its
    /// metadata rendered as JSON.
    case evaluated(EvaluationDetails<FlagValue?>, metadata: FlagMetadataJSON?)
    /// The flag splits by the targeting key and the context has none: a local `FlagStore` would skip the split
    /// rules, but OFREP asks the server to say so (`TARGETING_KEY_MISSING`) so the caller can fix its context.
    case targetingKeyMissing(key: String, metadata: FlagMetadataJSON)
}

/// A flag's flattened metadata (`FlagMetadata.flattened`) as compact JSON with sorted keys, rendered once per
/// compiled flag for answers that carry it with every evaluation; `JSONEmitter.rawValue(_:)` writes it.
package final class FlagMetadataJSON: Sendable {
    /// The JSON object, exactly as `JSONWriter` in compact style writes `.object(metadata.flattened)`.
    package let bytes: [UInt8]
    /// Whether the object has no members.
    package let isEmpty: Bool

    package init(_ metadata: FlagMetadata) {
        let flattened = metadata.flattened
        bytes = JSONWriter(style: .compact).bytes(.object(flattened))
        isEmpty = flattened.isEmpty
    }
}

extension FlagStore {
    /// Evaluates `key` for a remote caller: `details(_:context:)`, except that a flag whose split rules hash the
    /// targeting key reports `targetingKeyMissing` when the context has none.
    package func remoteEvaluation(_ key: String, context: EvaluationContext) -> RemoteEvaluation {
        withCompiled { snapshot in
            guard let flag = snapshot.flag(key) else { return .evaluated(details(key, context: context), metadata: nil) }
            return remoteEvaluation(flag, context: context)
        }
    }

    /// Evaluates every flag of one snapshot (the served one) for a remote caller, in key order, with that
    /// snapshot's id: the bulk response and its ETag describe exactly one snapshot.
    package func remoteEvaluations(context: EvaluationContext, including isIncluded: (String) -> Bool = { _ in true }) -> (snapshotID: String, results: [RemoteEvaluation]) {
        let compiled = compiled
        var results: [RemoteEvaluation] = []
        results.reserveCapacity(compiled.snapshot.flags.count)
        for flag in compiled.snapshot.flags where isIncluded(flag.key) {
            guard let compiledFlag = compiled.flag(flag.key) else { continue }
            results.append(remoteEvaluation(compiledFlag, context: context))
        }
        return (compiled.snapshot.id, results)
    }

    private func remoteEvaluation(_ flag: CompiledFlag, context: EvaluationContext) -> RemoteEvaluation {
        let key = flag.flag.key
        if context.targetingKey == nil, flag.splitsByTargetingKey {
            return .targetingKeyMissing(key: key, metadata: flag.metadataJSON)
        }
        let decision = flag.decide(context, environment: environment, clock: clock)
        return .evaluated(details(key, decision, of: flag, default: nil) { $0 }, metadata: flag.metadataJSON)
    }
}

extension CompiledFlag {
    /// Whether the flag is enabled and one of its rules splits by the targeting key (`bucket_by` not set).
    var splitsByTargetingKey: Bool {
        enabled && rules.contains { rule in
            if case .split(let split) = rule.outcome { return split.bucketsByTargetingKey }
            return false
        }
    }
}
