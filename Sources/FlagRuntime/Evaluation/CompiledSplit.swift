/// A split: hash `seed + bucket value` with MurmurHash3 and map it onto cumulative weights, like flagd's `fractional`.
final class CompiledSplit: Sendable {
    let seed: String
    let bucketBy: String
    let slot: Int
    let totalWeight: UInt64
    let upperBounds: [UInt64]
    let variants: [Int]
    /// The hasher with `seed` already added: each evaluation continues from a copy, so the seed, the same for every
    /// context, is hashed once per snapshot rather than once per evaluation.
    private let seeded: Murmur3

    init(_ split: Split, slot: Int, variantIndex: (String) -> Int) {
        seed = split.seed
        bucketBy = split.bucketBy
        self.slot = slot
        var cumulative = 0
        var upperBounds: [UInt64] = []
        var variants: [Int] = []
        upperBounds.reserveCapacity(split.buckets.count)
        variants.reserveCapacity(split.buckets.count)
        for bucket in split.buckets {
            cumulative += bucket.weight
            upperBounds.append(UInt64(cumulative))
            variants.append(variantIndex(bucket.variant))
        }
        totalWeight = UInt64(cumulative)
        self.upperBounds = upperBounds
        self.variants = variants
        var seeded = Murmur3()
        seeded.add(split.seed)
        self.seeded = seeded
    }

    var bucketsByTargetingKey: Bool { slot == AttributeReader.targetingKeySlot }

    /// The variant index for a context, or nil when the bucketing value is absent or not a string (the rule
    /// then does not match).
    @inline(__always)
    func variant(_ context: EvaluationContext, _ attributes: inout AttributeReader) -> Int? {
        attributes.withString(slot, context) { variant(forBucketValue: $0) } ?? nil
    }

    @inline(__always)
    func variant(forBucketValue value: String) -> Int? {
        var hasher = seeded
        hasher.add(value)
        let bucket = (UInt64(hasher.finalize()) &* totalWeight) >> 32
        for index in upperBounds.indices where bucket < upperBounds[index] {
            return variants[index]
        }
        return variants.last
    }
}
