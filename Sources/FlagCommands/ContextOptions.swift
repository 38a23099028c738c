import ArgumentParser
import FlagCompiler
import FlagRuntime

/// The evaluation context options of `eval` and `watch`: `--context JSON`, then `--attr`, then `--targeting-key`
/// (later ones win).
struct ContextOptions: ParsableArguments {
    /// `--targeting-key`: applied last.
    @Option(help: ArgumentHelp("The targeting key (usually the user id); wins over --context.", valueName: "key"))
    var targetingKey: String?

    /// `--attr name=value` / `--attr name:=JSON`, in order.
    @Option(help: ArgumentHelp("An attribute: name=value (a string) or name:=JSON (a number, boolean or list of strings); repeatable.", valueName: "attr"))
    var attr: [String] = []

    /// `--context`: a JSON object.
    @Option(help: ArgumentHelp("The context as a JSON object, e.g. {\"targetingKey\":\"u1\",\"tenant\":\"acme\",\"seats\":25}.", valueName: "json"))
    var context: String?

    /// Whether any of the options was given.
    var isGiven: Bool { context != nil || !attr.isEmpty || targetingKey != nil }

    /// Checks the forms of --context and --attr while parsing, so usage errors show the subcommand's usage.
    func validate() throws {
        _ = try evaluationContext()
    }

    /// The context from `--context`, then `--attr`, then `--targeting-key` (later ones win).
    func evaluationContext() throws -> EvaluationContext {
        var result = EvaluationContext()
        if let context {
            let json: JSONValue
            do {
                json = try JSONValue(parsing: context)
            } catch {
                throw ValidationError("--context is not valid JSON (\(error)); give a JSON object like {\"targetingKey\":\"u1\",\"tenant\":\"acme\",\"seats\":25}")
            }
            guard case .object(let members) = json else {
                throw ValidationError("--context must be a JSON object like {\"targetingKey\":\"u1\",\"tenant\":\"acme\",\"seats\":25}, not \(ContextJSON.kind(of: json))")
            }
            do {
                try ContextJSON.apply(members, to: &result)
            } catch {
                throw ValidationError("--context: \(error)")
            }
        }
        for assignment in attr {
            try AttributeAssignment.apply(assignment, to: &result)
        }
        if let targetingKey { result.targetingKey = targetingKey }
        return result
    }
}

/// The output formats of `flagc eval`.
enum EvalFormat: String, ExpressibleByArgument, CaseIterable {
    /// `FLAG = VALUE (variant V, reason R, rule N "name")`, with `--explain` lines above.
    case text
    /// One canonical compact JSON object per result.
    case json
}
