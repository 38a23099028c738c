import ArgumentParser
import FlagCompiler

/// `flagc rules`: list the validation rules with their ids, severities and summaries.
struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the validation rules (stable ids, severity, summary).")

    func run() async throws {
        for rule in RuleCatalog.all {
            Output.standardOutput("\(rule.id.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0)) \(rule.id.defaultSeverity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(rule.summary)\n")
        }
    }
}
