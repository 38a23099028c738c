/// What makes a snapshot valid, in one place: both decoders (`Snapshot(jsonBytes:)`, the binary payload decoder,
/// so every `SnapshotLoader`, `FlagStore` and watcher load) and the binary encoder check it, so a hand-written or third-party `snapshot.json` that serves a variant it does not define is refused
/// with a reason instead of serving the first variant.
///
/// A valid snapshot lists each environment once, including the one it was compiled for; it has flags sorted by key (UTF-8 bytes) and unique; in each flag, at least one variant, variant
/// names unique, every value of the flag's type, a default that names a variant; in each rule, a served variant
/// that exists, or split buckets that name distinct variants of the flag with non-negative weights summing to
/// 10,000. (That the `id` matches the content is checked by `SnapshotLoader`, which knows the id was read.)
package enum SnapshotValidation {
    /// Throws, naming the flag and what is wrong, unless `snapshot` is valid. `keysAreSorted` skips the key
    /// order check for callers that have established it (the decoders: the binary one refuses unsorted keys
    /// with their byte offset, the JSON one sorts them).
    package static func check(_ snapshot: Snapshot, keysAreSorted: Bool = false) throws(SnapshotDecodingError) {
        // Flags are read in place, through the buffer: iterating, and even `flags[index]`, copied each flag,
        // retaining and releasing all of its fields.
        try snapshot.flags.withUnsafeBufferPointer { flags throws(SnapshotDecodingError) in
            if !keysAreSorted {
                for index in flags.indices.dropFirst() where !precedesByUTF8(flags[index - 1].key, flags[index].key) {
                    let (previous, key) = (flags[index - 1].key, flags[index].key)
                    throw SnapshotDecodingError(path: "flags.\(key)", message: previous == key ? "the flag is listed twice" : "flags are not sorted by key ('\(key)' after '\(previous)')")
                }
            }
        }
        if let environments = snapshot.environments {
            if let duplicate = firstDuplicate(count: environments.count, { environments[$0] }) {
                throw SnapshotDecodingError(path: "environments", message: "environment '\(duplicate)' is listed twice")
            }
            if let environment = snapshot.environment, !environments.contains(environment) {
                throw SnapshotDecodingError(path: "environment", message: "'\(environment)' is not among the snapshot's environments (\(environments.joined(separator: ", ")))")
            }
        }
        try snapshot.flags.withUnsafeBufferPointer { flags throws(SnapshotDecodingError) in
            guard let first = flags.baseAddress else { return }
            for index in flags.indices { try check((first + index).pointee) }
        }
    }

    /// The checks of one flag. Nothing is allocated unless something is wrong (paths are built only for errors):
    /// a load checks every flag of the snapshot.
    @inline(__always)
    package static func check(_ flag: borrowing Flag) throws(SnapshotDecodingError) {
        let key = flag.key
        func failure(_ component: String, _ message: String) -> SnapshotDecodingError {
            SnapshotDecodingError(path: "flags.\(key)" + component, message: message)
        }
        let variants = flag.variants
        guard !variants.isEmpty else { throw failure("", "the flag has no variants") }
        if let duplicate = firstDuplicate(count: variants.count, { variants[$0].name }) {
            throw failure(".variants", "variant '\(duplicate)' is listed twice")
        }
        // A number flag may hold integer values (they read back as numbers, as in JSON).
        for variant in variants where variant.value.type != flag.type && !(flag.type == .number && variant.value.type == .integer) {
            throw failure(".variants.\(variant.name)", "a \(variant.value.type.rawValue) value in a \(flag.type.rawValue) flag")
        }
        let names = VariantNames(variants)
        guard names.contains(flag.defaultVariant) else {
            throw failure(".defaultVariant", "'\(flag.defaultVariant)' names no variant of the flag")
        }
        for (index, rule) in flag.rules.enumerated() {
            switch rule.outcome {
            case .serve(let variant):
                guard names.contains(variant) else {
                    throw failure(".rules[\(index)].serve", "'\(variant)' names no variant of the flag")
                }
            case .split(let split):
                let buckets = split.buckets
                if let duplicate = firstDuplicate(count: buckets.count, { buckets[$0].variant }) {
                    throw failure(".rules[\(index)].split.buckets", "variant '\(duplicate)' has two buckets")
                }
                var total = 0
                for bucket in buckets {
                    guard names.contains(bucket.variant) else {
                        throw failure(".rules[\(index)].split.buckets", "bucket '\(bucket.variant)' names no variant of the flag")
                    }
                    guard bucket.weight >= 0, bucket.weight <= 10_000 else {
                        throw failure(".rules[\(index)].split.buckets", "weight \(bucket.weight) of '\(bucket.variant)' is outside 0…10000")
                    }
                    total += bucket.weight
                }
                guard total == 10_000 else {
                    throw failure(".rules[\(index)].split.buckets", "weights sum to \(total), not 10000")
                }
            }
        }
    }

    /// The first of `count` names (`name(i)`) that appears twice: pairwise for short lists (nothing allocated),
    /// with a set for long ones.
    private static func firstDuplicate(count: Int, _ name: (Int) -> String) -> String? {
        if count <= 16 {
            for index in 1..<max(1, count) where (0..<index).contains(where: { name($0) == name(index) }) {
                return name(index)
            }
            return nil
        }
        var seen = Set<String>()
        return (0..<count).lazy.map(name).first { !seen.insert($0).inserted }
    }

    /// The variant names of a flag, searched linearly when there are few.
    private struct VariantNames {
        let variants: [Variant]
        let set: Set<String>?

        init(_ variants: [Variant]) {
            self.variants = variants
            set = variants.count > 16 ? Set(variants.map(\.name)) : nil
        }

        func contains(_ name: String) -> Bool {
            set?.contains(name) ?? variants.contains { $0.name == name }
        }
    }
}
