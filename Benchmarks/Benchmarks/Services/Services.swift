import Benchmark
import FlagFixtures
import FlagRuntime

// Evaluation as services call it (issue "Performance as services see it"): a different context for each request,
// copied out of an array as a request loop hands it over; contexts built per request from raw fields; wide contexts;
// a 100,000-id users list; handles. Each iteration runs 1,000 evaluations (`scalingFactor: .kilo`), so the figures
// are per evaluation (per request for "context per request + 10 evaluations").
// The store serves 10,000 generated flags plus `FlagFixtures.benchFile` and `ServiceFixtures.extraFile`.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )
    let store = ServiceFixtures.store
    let contexts = ServiceFixtures.contexts

    Benchmark("static boolean, 4,096 cycling contexts") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = contexts[index & 4095]
            index &+= 1
            blackHole(store.boolean("bench.static", default: false, context: context))
        }
    }
    Benchmark("5-rule targeting (5th matches), 4,096 cycling contexts") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = contexts[index & 4095]
            index &+= 1
            blackHole(store.boolean("bench.targeted", default: false, context: context))
        }
    }
    Benchmark("4-way split, 4,096 cycling contexts") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = contexts[index & 4095]
            index &+= 1
            blackHole(store.string("bench.split", default: "none", context: context))
        }
    }
    let staticHandle = FlagHandle<Bool>("bench.static", default: false)
    // The floor of every cycling case: copying the context out of the array (a retain and a release), nothing else.
    Benchmark("copy a context only, 4,096 cycling contexts") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = contexts[index & 4095]
            index &+= 1
            blackHole(context)
        }
    }
    Benchmark("static boolean through a handle, 4,096 cycling contexts") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = contexts[index & 4095]
            index &+= 1
            blackHole(store.isEnabled(staticHandle, context: context))
        }
    }

    // What a request handler does first: a context from the request's fields.
    let fields = ServiceFixtures.requestFields
    Benchmark("build a 7-attribute context") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let request = fields[index & 4095]
            index &+= 1
            blackHole(ServiceFixtures.context(for: request))
        }
    }
    // The same context from a dictionary literal: the dictionary hashes each name (SipHash) before the context
    // sees it.
    Benchmark("build a 7-attribute context from a dictionary literal") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let request = fields[index & 4095]
            index &+= 1
            blackHole(ServiceFixtures.dictionaryContext(for: request))
        }
    }
    let flags = ServiceFixtures.tenFlags
    Benchmark(
        "context per request + 10 evaluations",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(2))
    ) { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = ServiceFixtures.context(for: fields[index & 4095])
            index &+= 1
            for flag in flags { blackHole(store.boolean(flag, default: false, context: context)) }
        }
    }
    let wide = ServiceFixtures.wideContexts
    Benchmark("5-rule targeting, 30-attribute contexts (the flag reads 3)") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = wide[index & 1023]
            index &+= 1
            blackHole(store.boolean("bench.targeted", default: false, context: context))
        }
    }
    Benchmark("users list of 100,000 ids, 4,096 cycling contexts") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let context = contexts[index & 4095]
            index &+= 1
            blackHole(store.boolean("service.big_allow_list", default: false, context: context))
        }
    }
}

enum ServiceFixtures {
    /// A flag with 100,000 user ids, half of the cycling contexts among them.
    static var extraFile: (name: String, yaml: String) {
        let users = (0..<100_000).map { "user-\($0 * 2)" }.joined(separator: ", ")
        return (name: "service.yaml", yaml: """
            module: service
            flags:
              service.big_allow_list:
                description: A 100,000-id allow list.
                owner: team-bench
                default: false
                rules:
                  - when:
                      users: [\(users)]
                    serve: true

            """)
    }

    static let snapshot = FlagFixtures.snapshot(flags: 10_000, extra: [FlagFixtures.benchFile, extraFile])
    static let store = try! FlagStore(snapshot: snapshot, environment: "production")

    /// One request's raw fields, as a web framework hands them over.
    struct RequestFields: Sendable {
        var user: String
        var tenant: String
        var plan: String
        var country: String
        var email: String
        var version: String
        var groups: [String]
    }

    /// 4,096 requests: the 5-rule flag is decided by its fifth rule for each (no listed user or tenant, plan pro, an
    /// app 2.x, 25 seats).
    static let requestFields: [RequestFields] = (0..<4096).map { index in
        RequestFields(user: "user-\(index * 7 + 100_000)", tenant: "customer-\(index % 97)", plan: "pro",
                      country: ["DE", "FR", "US", "JP"][index % 4], email: "u\(index)@example.com",
                      version: "2.\(index % 6).\(index % 10)", groups: index % 3 == 0 ? ["beta"] : [])
    }

    /// The context a service builds from a request: seven attributes.
    @inline(never)
    static func context(for request: RequestFields) -> EvaluationContext {
        EvaluationContext(targetingKey: request.user, tenant: request.tenant, groups: request.groups) { attributes in
            attributes["plan"] = .string(request.plan)
            attributes["country"] = .string(request.country)
            attributes["email"] = .string(request.email)
            attributes["app_version"] = .string(request.version)
            attributes["seats"] = 25
        }
    }

    /// `context(for:)` from a dictionary literal.
    @inline(never)
    static func dictionaryContext(for request: RequestFields) -> EvaluationContext {
        EvaluationContext(targetingKey: request.user, tenant: request.tenant, groups: request.groups, attributes: [
            "plan": .string(request.plan),
            "country": .string(request.country),
            "email": .string(request.email),
            "app_version": .string(request.version),
            "seats": 25,
        ])
    }

    static let contexts: [EvaluationContext] = requestFields.map(context(for:))

    /// 1,024 contexts with 30 attributes each, of which the 5-rule flag reads plan, app_version and seats.
    static let wideContexts: [EvaluationContext] = (0..<1024).map { index in
        var attributes: [String: ContextValue] = ["plan": "pro", "app_version": .string("2.\(index % 6).0"), "seats": 25]
        for extra in 0..<27 { attributes["attribute_\(extra)"] = .string("value-\(index)-\(extra)") }
        return EvaluationContext(targetingKey: "wide-\(index)", attributes: attributes)
    }

    /// Ten different flags a request reads: the bench flags and generated ones.
    static let tenFlags = ["bench.static", "bench.targeted", "bench.rollout", "bench.segment"]
        + snapshot.flags.lazy.filter { $0.type == .boolean && !$0.key.hasPrefix("bench.") && !$0.key.hasPrefix("service.") }.prefix(6).map(\.key)
}
