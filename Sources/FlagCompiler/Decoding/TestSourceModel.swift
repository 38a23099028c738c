import FlagRuntime

/// One test file (`*.test.yaml`) after decoding: its cases, every matrix row already expanded. The boundary type
/// between decoding and the test runner (`Testing/FlagTestRunner.swift`).
package struct FlagTestFile: Sendable {
    /// The path, as discovery found it.
    package var path: String
    /// The cases in file order, each matrix entry expanded row by row.
    var cases: [FlagTestCase] = []
}

/// One case of a test file: a `tests:` entry, or one row of its `matrix`, with `${name}` substituted.
struct FlagTestCase: Sendable {
    /// Where the entry starts (its `-` item).
    var location: SourceLocation
    /// The name, with the row's values substituted.
    var name: String
    var flag: Located<String>
    /// The environment to evaluate in; nil for every configured environment (or none).
    var environment: Located<String>?
    /// The time to evaluate at, in Unix seconds; nil for `--now` or the current time.
    var at: Int64?
    var context: EvaluationContext
    /// What the result must be (exactly one of `expectation` and `distribution` is set).
    var expectation: FlagTestExpectation?
    var distribution: FlagTestDistribution?
    /// The matrix row's values, in the matrix's order; empty without a matrix.
    var row: [FlagTestMatrixValue]
}

/// One value of a matrix row: `country=BR`.
package struct FlagTestMatrixValue: Sendable, Hashable {
    /// The matrix entry's name.
    package var name: String
    /// The value, as text.
    package var value: String
}

/// What a case expects of one evaluation: any of the fields, each compared with `FlagStore.details`.
struct FlagTestExpectation: Sendable {
    var value: Located<JSONValue>?
    var variant: Located<String>?
    var reason: Located<EvaluationReason>?
    var rule: Located<FlagTestRuleReference>?
    var error: Located<EvaluationErrorCode>?
}

/// The rule a case expects to decide: by name, or by 1-based position in the flag's `rules`.
enum FlagTestRuleReference: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case position(Int)

    /// `'pilot tenants'` or `2`.
    var description: String {
        switch self {
        case .name(let name): "'\(name)'"
        case .position(let position): "\(position)"
        }
    }
}

/// A case that evaluates generated contexts and checks each variant's share.
struct FlagTestDistribution: Sendable {
    /// How many contexts to evaluate.
    var samples: Int
    /// The expected share of each variant, in percent, in the order written.
    var shares: [(variant: Located<String>, percent: Double)]
    /// How far, in percentage points, a share may be from the expected one.
    var tolerance: Double
    /// The context field the generated keys go into: `targetingKey`, or an attribute (a split's `bucket_by`).
    var bucketBy: String
    /// The prefix of the generated keys (`seed-0`, `seed-1`, …): the same keys on every run.
    var seed: String

    /// The generated key of sample `index`.
    func key(_ index: Int) -> String { "\(seed)-\(index)" }
}
