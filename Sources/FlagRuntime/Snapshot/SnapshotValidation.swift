/// What makes a snapshot valid, in one place: both decoders (`Snapshot(jsonBytes:)`, the binary payload decoder,
/// so every `SnapshotLoader`, `FlagStore` and watcher load) and the binary encoder check it, so a hand-written or third-party `snapshot.json` that serves a variant it does not define is refused
/// with a reason instead of serving the first variant.
///
/// A valid snapshot has flags sorted by key (UTF-8 bytes) and unique; in each flag, at least one variant, variant
/// names unique, every value of the flag's type, a default that names a variant; in each rule, a served variant
/// that exists, or split buckets that name distinct variants of the flag with non-negative weights summing to
/// 10,000. (That the `id` matches the content is checked by `SnapshotLoader`, which knows the id was read.)
package enum SnapshotValidation {
    /// Throws, naming the flag and what is wrong, unless `snapshot` is valid.
    package static func check(_ snapshot: Snapshot) throws(SnapshotDecodingError) {
        var previous: String?
        for flag in snapshot.flags {
            if let previous, !previous.utf8.lexicographicallyPrecedes(flag.key.utf8) {
                throw SnapshotDecodingError(path: "flags.\(flag.key)", message: previous == flag.key ? "the flag is listed twice" : "flags are not sorted by key ('\(flag.key)' after '\(previous)')")
            }
            previous = flag.key
            try check(flag)
        }
    }

    /// The checks of one flag.
    static func check(_ flag: Flag) throws(SnapshotDecodingError) {
        let path = "flags.\(flag.key)"
        guard !flag.variants.isEmpty else { throw SnapshotDecodingError(path: path, message: "the flag has no variants") }
        if let duplicate = firstDuplicate(flag.variants, \.name) {
            throw SnapshotDecodingError(path: "\(path).variants", message: "variant '\(duplicate)' is listed twice")
        }
        // A number flag may hold integer values (they read back as numbers, as in JSON).
        for variant in flag.variants where variant.value.type != flag.type && !(flag.type == .number && variant.value.type == .integer) {
            throw SnapshotDecodingError(path: "\(path).variants.\(variant.name)", message: "a \(variant.value.type.rawValue) value in a \(flag.type.rawValue) flag")
        }
        let names = VariantNames(flag.variants)
        guard names.contains(flag.defaultVariant) else {
            throw SnapshotDecodingError(path: "\(path).defaultVariant", message: "'\(flag.defaultVariant)' names no variant of the flag")
        }
        for (index, rule) in flag.rules.enumerated() {
            let rulePath = "\(path).rules[\(index)]"
            switch rule.outcome {
            case .serve(let variant):
                guard names.contains(variant) else {
                    throw SnapshotDecodingError(path: "\(rulePath).serve", message: "'\(variant)' names no variant of the flag")
                }
            case .split(let split):
                var total = 0
                if let duplicate = firstDuplicate(split.buckets, \.variant) {
                    throw SnapshotDecodingError(path: "\(rulePath).split.buckets", message: "variant '\(duplicate)' has two buckets")
                }
                for bucket in split.buckets {
                    guard names.contains(bucket.variant) else {
                        throw SnapshotDecodingError(path: "\(rulePath).split.buckets", message: "bucket '\(bucket.variant)' names no variant of the flag")
                    }
                    guard bucket.weight >= 0, bucket.weight <= 10_000 else {
                        throw SnapshotDecodingError(path: "\(rulePath).split.buckets", message: "weight \(bucket.weight) of '\(bucket.variant)' is outside 0…10000")
                    }
                    total += bucket.weight
                }
                guard total == 10_000 else {
                    throw SnapshotDecodingError(path: "\(rulePath).split.buckets", message: "weights sum to \(total), not 10000")
                }
            }
        }
    }

    /// The first name that appears twice: pairwise for short lists (nothing allocated), with a set for long ones.
    private static func firstDuplicate<Element>(_ items: [Element], _ name: KeyPath<Element, String>) -> String? {
        if items.count <= 16 {
            for index in items.indices.dropFirst() where items[..<index].contains(where: { $0[keyPath: name] == items[index][keyPath: name] }) {
                return items[index][keyPath: name]
            }
            return nil
        }
        var seen = Set<String>()
        return items.first { !seen.insert($0[keyPath: name]).inserted }?[keyPath: name]
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
