@testable import FlagCompiler
import Testing

/// The syntax errors pull requests most often bring: each reported at the line that is wrong, in words that say
/// what to do, instead of where and how libyaml broke.
@Suite struct SyntaxErrorTests {
    /// One broken file and the one error it must produce.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var rule: RuleID
        var line: Int
        var column: Int
        var message: String

        var testDescription: String { name }
    }

    static let head = "flags:\n  demo.x:\n    description: Demo\n    owner: team-demo\n"

    static let cases: [Case] = [
        Case(name: "a field dedented to the flags' level", yaml: head + "  type: release\n    default: false\n", rule: .yamlSyntax, line: 5, column: 3,
             message: "wrong indentation: line 5 is indented by 2 spaces, but the fields of flag 'demo.x' are indented by 4; indent it like the lines around it"),
        Case(name: "a field dedented to the top level", yaml: head + "type: release\n    default: false\n", rule: .yamlSyntax, line: 5, column: 1,
             message: "wrong indentation: line 5 is indented by 0 spaces, but the fields of flag 'demo.x' are indented by 4; indent it like the lines around it"),
        Case(name: "a field indented too far", yaml: head + "      type: release\n    default: false\n", rule: .yamlSyntax, line: 5, column: 7,
             message: "wrong indentation: line 5 is indented by 6 spaces, but the fields of flag 'demo.x' are indented by 4; indent it like the lines around it"),
        Case(name: "a field between two levels", yaml: head + "   type: release\n    default: false\n", rule: .yamlSyntax, line: 5, column: 4,
             message: "wrong indentation: line 5 is indented by 3 spaces, which matches no level around it: the fields of flag 'demo.x' are indented by 4 and the flags by 2; indent it like the lines it belongs with"),
        Case(name: "a list item dedented", yaml: head + "    default: false\n    rules:\n      - serve: true\n     - rollout: 10\n", rule: .yamlSyntax, line: 8, column: 6,
             message: "wrong indentation: line 8 is a list item indented by 5 spaces, but the items of 'rules' are indented by 6 (line 7); line up its '-' with theirs"),
        Case(name: "a list item indented too far", yaml: head + "    default: false\n    rules:\n      - serve: true\n        - rollout: 10\n", rule: .yamlSyntax, line: 8, column: 9,
             message: "wrong indentation: line 8 is a list item indented by 8 spaces, but the items of 'rules' are indented by 6 (line 7); line up its '-' with theirs"),
        Case(name: "a list item at its key's parent level", yaml: head + "    default: false\n    rules:\n      - serve: true\n    - rollout: 10\n", rule: .yamlSyntax, line: 8, column: 5,
             message: "wrong indentation: line 8 is a list item indented by 4 spaces, but the items of 'rules' are indented by 6 (line 7); line up its '-' with theirs"),
        Case(name: "a field of a list item indented too far", yaml: head + "    default: false\n    rules:\n      - when: { users: [ada] }\n         serve: true\n", rule: .yamlSyntax, line: 8, column: 10,
             message: "wrong indentation: line 8 is indented by 9 spaces, but the fields of the item of 'rules' at line 7 are indented by 8; indent it like the lines around it"),
        Case(name: "a field of a list item dedented", yaml: head + "    default: false\n    rules:\n      - when: { users: [ada] }\n       serve: true\n", rule: .yamlSyntax, line: 8, column: 8,
             message: "wrong indentation: line 8 is indented by 7 spaces, but the fields of the item of 'rules' at line 7 are indented by 8; indent it like the lines around it"),
        Case(name: "a block scalar's text is not taken for fields", yaml: "flags:\n  demo.x:\n    description: |\n      text\n        more\n   owner: team-demo\n    default: false\n", rule: .yamlSyntax, line: 6, column: 4,
             message: "wrong indentation: line 6 is indented by 3 spaces, which matches no level around it: the fields of flag 'demo.x' are indented by 4 and the flags by 2; indent it like the lines it belongs with"),
        Case(name: "a value holding ': '", yaml: "flags:\n  demo.x:\n    description: Note: read this\n    owner: team-demo\n    default: false\n", rule: .yamlSyntax, line: 3, column: 22,
             message: "the value of 'description' contains ': ', which YAML reads as the start of a mapping; quote the whole value (description: \"…\")"),
        Case(name: "a variant value starting with '#'", yaml: head + "    variants:\n      white: #ffffff\n      black: \"#000000\"\n    default: black\n", rule: .yamlCommentValue, line: 6, column: 14,
             message: "'white' has no value: '#' after a space starts a comment in YAML, so '#ffffff' is not read; if it is the value, quote it (white: \"#ffffff\")"),
        Case(name: "an owner starting with '#'", yaml: "flags:\n  demo.x:\n    description: Demo\n    owner:   #team-demo\n    default: false\n", rule: .yamlCommentValue, line: 4, column: 14,
             message: "'owner' has no value: '#' after a space starts a comment in YAML, so '#team-demo' is not read; if it is the value, quote it (owner: \"#team-demo\")"),
        Case(name: "a list item starting with '#'", yaml: head + "    default: false\n    rules:\n      - when: { environments: [staging] }\n        serve: true\n      - when:\n          users:\n            - #ada\n        serve: true\n", rule: .yamlCommentValue, line: 11, column: 15,
             message: "this list item is empty: '#' after a space starts a comment in YAML, so '#ada' is not read; if it is the value, quote it (- \"#ada\")"),
        Case(name: "a merge conflict", yaml: head + "<<<<<<< HEAD\n    default: false\n=======\n    default: true\n>>>>>>> feature/rollout\n", rule: .yamlConflictMarker, line: 5, column: 1,
             message: "an unresolved git merge conflict between 'HEAD' and 'feature/rollout' starts here; resolve the merge conflict: keep one side and delete the markers"),
        Case(name: "a leftover marker", yaml: head + "    default: false\n>>>>>>>\n", rule: .yamlConflictMarker, line: 6, column: 1,
             message: "a leftover git merge-conflict marker ('>>>>>>>'); resolve the merge conflict: keep one side and delete the markers"),
    ]

    @Test(arguments: cases)
    func reportedAtTheLineThatIsWrong(_ example: Case) throws {
        let result = try TemporaryProject(["flags/demo.yaml": example.yaml]).compile()
        // An empty owner is also missing (`missing-metadata`): only the error at the place is checked there.
        let errors = result.diagnostics.filter { $0.severity == .error && $0.rule != .missingMetadata }
        #expect(errors.count == 1, "\(errors.map(\.description))")
        let error = try #require(errors.first)
        #expect(error.rule == example.rule)
        #expect(error.location == SourceLocation(line: example.line, column: example.column))
        #expect(error.message == example.message)
    }

    /// When the parser stopped on another line than the one reported, a note says where and why.
    @Test func aNoteKeepsWhereTheParserStopped() throws {
        let result = try TemporaryProject(["flags/demo.yaml": Self.head + "  type: release\n    default: false\n"]).compile()
        let error = try #require(result.diagnostics.first)
        #expect(error.related == [Diagnostic.Related(file: "flags/demo.yaml", location: SourceLocation(line: 6, column: 12), message: "the YAML parser stopped here: mapping values are not allowed in this context")])
    }

    /// One error per conflict block, with notes at its other markers (the diff3 ancestor's included).
    @Test func oneErrorPerConflictBlock() throws {
        let yaml = Self.head + "<<<<<<< HEAD\n    default: false\n||||||| base\n    default: true\n=======\n    default: true\n>>>>>>> other\n"
            + "    rules:\n<<<<<<< HEAD\n      - rollout: 10\n=======\n      - rollout: 20\n>>>>>>> other\n"
        let result = try TemporaryProject(["flags/demo.yaml": yaml]).compile()
        #expect(result.diagnostics.map(\.rule) == [.yamlConflictMarker, .yamlConflictMarker])
        #expect(result.diagnostics.map(\.location?.line) == [5, 13])
        #expect(result.diagnostics.first?.related.map(\.location.line) == [7, 9, 11])
    }

    /// Seven characters exactly, at the start of a line: longer runs and indented ones are content.
    @Test(arguments: ["flags: {}\n========\n", "flags: {}\n  =======\n", "flags: {}\n=======x\n"])
    func notAMarker(_ yaml: String) throws {
        var diagnostics = FileDiagnostics(file: "f.yaml")
        #expect(!ConflictMarkers.report(Array(yaml.utf8), diagnostics: &diagnostics))
    }

    /// A comment after a value, or after a key whose value may be empty, is no error.
    @Test func commentsAfterValuesAreFine() throws {
        let yaml = "flags:  # none yet\nsegments:\n  staff:  # employees\n    when: { groups: [staff] }  # from the directory\n"
        let result = try TemporaryProject(["flags/demo.yaml": yaml]).compile()
        #expect(!result.diagnostics.contains { $0.rule == .yamlCommentValue }, "\(result.diagnostics.map(\.description))")
    }

    /// When the lines do not show which one is off, libyaml's words stay, and indentation is named as the
    /// likely cause only when the line's indentation changed.
    @Test func unexplainedErrorsKeepLibyamlsMessage() throws {
        let result = try TemporaryProject(["flags/demo.yaml": "flags:\n  demo.x: [unclosed\n"]).compile()
        let error = try #require(result.diagnostics.first)
        #expect(error.rule == .yamlSyntax)
        #expect(error.message.hasSuffix("; fix the YAML syntax here"))
        #expect(!error.message.contains("indent"))
    }
}
