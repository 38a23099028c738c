import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation
import Synchronization

/// `flagc eval`: evaluate one flag from a compiled snapshot for a context, or a stream of requests with `--batch`.
///
/// The evaluation is the `FlagRuntime` one (`FlagStore.details`, untyped), so the answer is exactly what a service
/// loading the same snapshot would get. Exit status: 0 when a value was produced (DISABLED and DEFAULT included),
/// 1 when the result is an error (for example FLAG_NOT_FOUND) or the snapshot cannot be loaded, 2 for usage errors.
struct Eval: AsyncParsableCommand {
    /// The command's name, abstract and help text.
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a flag from a compiled snapshot for a context.",
        discussion: """
            The context comes from --context (a JSON object: targetingKey, environment and attributes), then \
            --attr and --targeting-key, which win. --attr name=value sets a string attribute; --attr name:=JSON \
            sets a typed one from a JSON literal: seats:=25, beta:=true, groups:='["a","b"]'. The names \
            targetingKey and environment set the targeting key and the evaluation environment.

            Text output: FLAG = VALUE (variant V, reason R, rule N "name"), where VALUE is compact JSON and N \
            counts rules from 1 as --explain does. --format json prints one object with flag, value, variant, \
            reason, errorCode, errorMessage, ruleIndex (from 0) and ruleName.

            --batch FILE (- for standard input) reads one JSON request per line, \
            {"flag": "...", "context": {...}, "env": "...", "at": "RFC3339"} (context, env and at optional; \
            --env and --at give their defaults), and writes one --format json result per non-blank line, in \
            order. A line that is not valid JSON, has a bad shape or is longer than 1 MiB yields a PARSE_ERROR \
            result naming its line number and the run goes on. FILE must be a regular file; to stream requests \
            through a pipe, pass - and use standard input.

            Exit status: 0 when a value was produced (also for DISABLED and DEFAULT) and for any --batch run \
            whose input could be read; 1 when the result is an error or the snapshot cannot be loaded; 2 for \
            usage errors.
            """
    )

    /// The snapshot file.
    @Argument(help: ArgumentHelp("The compiled snapshot (snapshot.json).", valueName: "snapshot"))
    var snapshot: String

    /// The flag to evaluate; nil with `--batch`.
    @Argument(help: ArgumentHelp("The flag key to evaluate (not with --batch).", valueName: "flag"))
    var flag: String?

    /// `--targeting-key`: applied last.
    @Option(help: ArgumentHelp("The targeting key (usually the user id); wins over --context.", valueName: "key"))
    var targetingKey: String?

    /// `--attr name=value` / `--attr name:=JSON`, in order.
    @Option(help: ArgumentHelp("An attribute: name=value (a string) or name:=JSON (a number, boolean or list of strings); repeatable.", valueName: "attr"))
    var attr: [String] = []

    /// `--context`: a JSON object.
    @Option(help: ArgumentHelp("The context as a JSON object, e.g. {\"targetingKey\":\"u1\",\"tenant\":\"acme\",\"seats\":25}.", valueName: "json"))
    var context: String?

    /// `--env`: the store's environment.
    @Option(help: ArgumentHelp("The evaluation environment (a context's environment overrides it).", valueName: "name"))
    var env: String?

    /// `--at`: an RFC 3339 time for a fixed clock.
    @Option(help: ArgumentHelp("Evaluate as of this RFC 3339 time, e.g. 2026-01-01T00:00:00Z (default: now).", valueName: "rfc3339"))
    var at: String?

    /// `--format`; nil means text (and lets `--batch` reject an explicit `text`).
    @Option(help: "Output format: text or json (--batch always writes json).")
    var format: EvalFormat?

    /// `--explain`: print why, rule by rule.
    @ArgumentParser.Flag(help: "Explain the result rule by rule.")
    var explain = false

    /// `--trusted-key`: demand a snapshot signed by one of these keys.
    @OptionGroup var trust: TrustOptions

    /// `--batch FILE`.
    @Option(help: ArgumentHelp("Evaluate the JSON requests in FILE, one per line (- for standard input).", valueName: "file"))
    var batch: String?

    /// Checks option combinations and the forms of --at, --context and --attr, so that usage errors show this command's usage.
    func validate() throws {
        if let batch {
            if let flag {
                throw ValidationError("--batch '\(batch)' evaluates the flags its lines name: drop the FLAG argument '\(flag)'")
            }
            if explain { throw ValidationError("--explain does not apply to --batch; evaluate one flag to see an explanation") }
            if format == .text { throw ValidationError("--batch always writes JSON lines; drop --format text") }
            if context != nil || !attr.isEmpty || targetingKey != nil {
                throw ValidationError("--context, --attr and --targeting-key do not apply to --batch: give each line its own \"context\"")
            }
        } else if flag == nil {
            throw ValidationError("missing FLAG: give the key of the flag to evaluate (or --batch FILE)")
        }
        _ = try atSeconds()
        _ = try evaluationContext()
    }

    /// Evaluates one flag and prints the result, or runs the batch.
    func run() async throws {
        let fixedTime = try atSeconds()
        if let batch {
            let clock = BatchClock(default: fixedTime)
            let store = try loadStore(clock: clock)
            do {
                try BatchEvaluator(store: store, clock: clock).run(path: batch)
            } catch {
                Output.standardError("error: \(error)\n")
                throw ExitCode.failure
            }
            return
        }
        let context = try evaluationContext()
        let clock: any FlagClock = fixedTime.map { FixedClock($0) } ?? SystemClock()
        let store = try loadStore(clock: clock)
        let key = flag ?? ""
        let details: EvaluationDetails<FlagValue?>
        var lines: [String]?
        if explain {
            let explanation = store.explain(key, context: context)
            details = explanation.details
            lines = explanation.lines
        } else {
            details = store.details(key, context: context)
        }
        switch format ?? .text {
        case .json:
            Output.standardOutput(EvalOutput.writer.string(EvalOutput.json(details, explanation: lines)) + "\n")
        case .text:
            var text = ""
            if let lines {
                let environment = context.environment ?? store.environment
                text += "snapshot \(store.snapshot.id.prefix(12)), environment \(environment.map { "'\($0)'" } ?? "(none)")"
                text += fixedTime.map { ", at \(Timestamp.format($0))\n" } ?? "\n"
                for line in lines { text += "  \(line)\n" }
            }
            text += EvalOutput.text(details) + "\n"
            Output.standardOutput(text)
        }
        if details.reason == .error { throw ExitCode.failure }
    }

    /// Loads the snapshot into a store; a load error is reported as `error: cannot load …` and exits with 1.
    ///
    /// `--env` naming another environment than the one a snapshot was compiled for (`compile --env`) is a usage
    /// error: that snapshot no longer holds the other environments' rules, so the answer would be wrong.
    func loadStore(clock: any FlagClock) throws -> FlagStore {
        let verifier = try trust.verifier()
        let store: FlagStore
        do {
            store = try FlagStore(contentsOfFile: snapshot, environment: env, clock: clock, signatureVerifier: verifier)
        } catch {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        if let env, let compiled = store.snapshot.environment, env != compiled {
            throw FlagCompiler.UsageError(description: "--env '\(env)': \(snapshot) was compiled for environment '\(compiled)' only and has no rules for others; drop --env, or evaluate a snapshot compiled without --env")
        }
        return store
    }

    /// `--at` in Unix seconds, or nil for the system clock.
    func atSeconds() throws -> Int64? {
        guard let at else { return nil }
        guard let seconds = Timestamp.parseDateTime(at) else {
            throw ValidationError("--at '\(at)' is not an RFC 3339 timestamp; write it like 2026-01-01T00:00:00Z or 2026-01-01T02:00:00+02:00")
        }
        return seconds
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

/// One `--attr` argument: `name=value` (a string) or `name:=JSON` (a typed value from a JSON literal).
enum AttributeAssignment {
    /// The accepted forms, for usage errors.
    static let forms = "write name=value for a string, or name:=JSON for a number, boolean or list of strings (seats:=25, beta:=true, groups:='[\"a\",\"b\"]')"

    /// Parses `text` and sets the attribute (or, for `targetingKey` and `environment`, the context field) it names.
    static func apply(_ text: String, to context: inout EvaluationContext) throws {
        guard let equals = text.firstIndex(of: "=") else {
            throw ValidationError("--attr '\(text)' has no '='; \(forms)")
        }
        let typed = equals > text.startIndex && text[text.index(before: equals)] == ":"
        let name = String(text[..<(typed ? text.index(before: equals) : equals)])
        let rest = String(text[text.index(after: equals)...])
        guard !name.isEmpty else {
            throw ValidationError("--attr '\(text)' has no attribute name before '\(typed ? ":=" : "=")'; \(forms)")
        }
        let json: JSONValue
        if typed {
            do {
                json = try JSONValue(parsing: rest)
            } catch {
                throw ValidationError("--attr '\(text)': the value after ':=' is not a JSON literal (\(error)); \(forms)")
            }
        } else {
            json = .string(rest)
        }
        do {
            try ContextJSON.apply([name: json], to: &context)
        } catch {
            throw ValidationError("--attr '\(text)': the value is \(error.found) (\(error.expected)); \(forms)")
        }
    }
}

/// Turns JSON context members into an `EvaluationContext`: `targetingKey` and `environment` (strings) set those
/// fields; any other member becomes an attribute (string, number, boolean or array of strings).
enum ContextJSON {
    /// A member that cannot be a context value, with a message naming it.
    struct ShapeError: Error, CustomStringConvertible {
        /// The member.
        var name: String
        /// What it is instead, for example `null` or `an object`.
        var found: String
        /// What it must be.
        var expected: String

        /// `member 'NAME' is FOUND; EXPECTED`.
        var description: String { "member '\(name)' is \(found); \(expected)" }
    }

    /// What an attribute may be.
    static let attributeForms = "an attribute is a string, a number, a boolean or an array of strings"

    /// Adds `members` to `context`; members already there are replaced. Throws naming the first bad member (by name).
    static func apply(_ members: [String: JSONValue], to context: inout EvaluationContext) throws(ShapeError) {
        context.attributes.reserveCapacity(context.attributes.count + members.count)
        var bad: [String] = []
        for (name, json) in members {
            switch name {
            case "targetingKey":
                guard case .string(let key) = json else { bad.append(name); continue }
                context.targetingKey = key
            case "environment":
                guard case .string(let environment) = json else { bad.append(name); continue }
                context.environment = environment
            default:
                guard let value = attribute(json) else { bad.append(name); continue }
                context.attributes[name] = value
            }
        }
        guard let name = bad.min(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }), let json = members[name] else { return }
        let isField = name == "targetingKey" || name == "environment"
        throw ShapeError(name: name, found: kind(of: json), expected: isField ? "it must be a string" : attributeForms)
    }

    /// The attribute a JSON value stands for, or nil for null, objects and arrays that are not all strings.
    @inline(__always)
    static func attribute(_ json: JSONValue) -> ContextValue? {
        switch json {
        case .string(let string): return .string(string)
        case .integer(let integer): return .number(Double(integer))
        case .double(let number): return .number(number)
        case .bool(let flag): return .boolean(flag)
        case .array(let elements):
            var strings: [String] = []
            strings.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let string) = element else { return nil }
                strings.append(string)
            }
            return .strings(strings)
        case .null, .object:
            return nil
        }
    }

    /// What a JSON value is, for messages: `null`, `an object`, `an array with a number`, …
    static func kind(of json: JSONValue) -> String {
        switch json {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .double: return "a number"
        case .string: return "a string"
        case .object: return "an object"
        case .array(let elements):
            if let other = elements.first(where: { $0.stringValue == nil }) { return "an array with \(kind(of: other)) in it" }
            return "an array"
        }
    }
}

/// Renders evaluation results as `flagc eval` prints them.
enum EvalOutput {
    /// The canonical compact writer every JSON result and value goes through.
    static let writer = JSONWriter(style: .compact)

    /// The `--format json` object: flag, value, variant, reason, errorCode, errorMessage, ruleIndex, ruleName
    /// (absent ones omitted), plus `explanation` when given.
    static func json(_ details: EvaluationDetails<FlagValue?>, explanation: [String]? = nil) -> JSONValue {
        var object: [String: JSONValue] = Dictionary(minimumCapacity: 8)
        object["flag"] = .string(details.flagKey)
        object["reason"] = .string(details.reason.rawValue)
        if let value = details.value { object["value"] = value.jsonValue }
        if let variant = details.variant { object["variant"] = .string(variant) }
        if let code = details.errorCode { object["errorCode"] = .string(code.rawValue) }
        if let message = details.errorMessage { object["errorMessage"] = .string(message) }
        if let index = details.ruleIndex { object["ruleIndex"] = .integer(Int64(index)) }
        if let name = details.ruleName { object["ruleName"] = .string(name) }
        if let explanation { object["explanation"] = .array(explanation.map(JSONValue.string)) }
        return .object(object)
    }

    /// Appends `writer.bytes(json(details))` without building the object: the members in sorted key order,
    /// strings escaped as `JSONWriter` escapes them, numbers and objects written by `JSONWriter`.
    /// The end-to-end tests check that `--batch` lines equal `--format json` output byte for byte.
    static func appendJSON(_ details: EvaluationDetails<FlagValue?>, to output: inout [UInt8]) {
        var separator = UInt8(ascii: "{")
        func key(_ name: StaticString) {
            output.append(separator)
            separator = UInt8(ascii: ",")
            output.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { output.append(contentsOf: $0) }
            output.append(UInt8(ascii: "\""))
            output.append(UInt8(ascii: ":"))
        }
        if let code = details.errorCode {
            key("errorCode")
            appendString(code.rawValue, to: &output)
        }
        if let message = details.errorMessage {
            key("errorMessage")
            appendString(message, to: &output)
        }
        key("flag")
        appendString(details.flagKey, to: &output)
        key("reason")
        appendString(details.reason.rawValue, to: &output)
        if let index = details.ruleIndex {
            key("ruleIndex")
            output.append(contentsOf: String(index).utf8)
        }
        if let name = details.ruleName {
            key("ruleName")
            appendString(name, to: &output)
        }
        if let value = details.value {
            key("value")
            switch value {
            case .boolean(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .string(let string): appendString(string, to: &output)
            case .integer(let integer): output.append(contentsOf: String(integer).utf8)
            case .number, .object: output.append(contentsOf: writer.bytes(value.jsonValue))
            }
        }
        if let variant = details.variant {
            key("variant")
            appendString(variant, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Appends `text` as `JSONWriter` writes a string: quoted; `"`, `\` and control characters escaped (`\b \f \n \r \t`
    /// short, others as `\u00xx` in lowercase hex); everything else raw UTF-8.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        output.append(UInt8(ascii: "\""))
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                output.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    output.append(UInt8(ascii: "\\"))
                    output.append(byte)
                case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                default:
                    output.append(byte)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The `--batch` result for a line that could not be read: `{"errorCode":"PARSE_ERROR","errorMessage":…,"line":N,"reason":"ERROR"}`.
    static func parseError(line: Int, message: String) -> JSONValue {
        .object([
            "line": .integer(Int64(line)),
            "reason": .string(EvaluationReason.error.rawValue),
            "errorCode": .string(EvaluationErrorCode.parseError.rawValue),
            "errorMessage": .string(message),
        ])
    }

    /// The text line: `FLAG = VALUE (variant V, reason R, rule N "name")` with N counted from 1, or for an error
    /// `FLAG: error CODE: message (reason ERROR)`. Without a value (a disabled flag) VALUE is `(caller's default)`.
    static func text(_ details: EvaluationDetails<FlagValue?>) -> String {
        if details.reason == .error {
            let code = details.errorCode ?? .general
            return "\(details.flagKey): error \(code.rawValue): \(details.errorMessage ?? "no message") (reason \(details.reason.rawValue))"
        }
        let value = details.value.map { writer.string($0.jsonValue) } ?? "(caller's default)"
        var parts: [String] = []
        if let variant = details.variant { parts.append("variant \(variant)") }
        parts.append("reason \(details.reason.rawValue)")
        if let index = details.ruleIndex {
            parts.append("rule \(index + 1)" + (details.ruleName.map { " " + writer.string(.string($0)) } ?? ""))
        }
        return "\(details.flagKey) = \(value) (\(parts.joined(separator: ", ")))"
    }
}

/// The clock of a `--batch` run: a line's `at` while that line is evaluated, otherwise `--at` or the system clock.
///
/// One store (one compiled snapshot) serves every line; the run is sequential, so setting the time before each
/// evaluation is enough (the atomic only makes the type `Sendable`).
final class BatchClock: FlagClock {
    /// Stands for "no fixed time: ask the system clock".
    private static let system = Int64.min
    private let seconds: Atomic<Int64>
    private let defaultSeconds: Int64

    /// Creates a clock that says `default` (or the system time when nil) until `set` says otherwise.
    init(default seconds: Int64?) {
        defaultSeconds = seconds ?? Self.system
        self.seconds = Atomic(defaultSeconds)
    }

    /// Fixes the time for the next evaluations; nil goes back to the default.
    func set(_ seconds: Int64?) {
        self.seconds.store(seconds ?? defaultSeconds, ordering: .relaxed)
    }

    /// The fixed time, or the system clock's.
    func now() -> Int64 {
        let fixed = seconds.load(ordering: .relaxed)
        return fixed == Self.system ? SystemClock().now() : fixed
    }
}

/// A problem reading the batch input or writing the results (exit status 1).
struct BatchIOError: Error, CustomStringConvertible {
    /// `cannot read FILE: reason` or `cannot write standard output: reason`.
    var description: String
}

/// Runs `--batch`: reads JSON request lines, evaluates each and writes one JSON result line per non-blank line.
///
/// Input is read in large chunks and complete lines are evaluated as they arrive; results are collected in a
/// buffer that is written to standard output after each chunk (so a pipe gets answers as its requests arrive)
/// and whenever it grows past `flushThreshold`.
struct BatchEvaluator {
    /// The store every line is evaluated with (environment: `--env`, else the snapshot's).
    let store: FlagStore
    /// The store's clock, set per line from `at`.
    let clock: BatchClock
    /// The members a request line may have.
    static let members: Set<String> = ["flag", "context", "env", "at"]
    /// Bytes read per `read` call.
    static let chunkSize = 256 * 1024
    /// Output is written once the buffer holds this many bytes.
    static let flushThreshold = 256 * 1024

    /// The longest request line accepted, in bytes (a request is a flag key and a context: a few hundred bytes).
    static let maximumLineLength = 1 << 20

    /// Evaluates every line of `path` (`-`: standard input) and writes the results to standard output.
    ///
    /// `path` must be a regular file (standard input may be a pipe). Each byte is scanned once, and a line
    /// longer than `maximumLineLength` gets a PARSE_ERROR result without being kept in memory.
    func run(path: String) throws(BatchIOError) {
        let name = path == "-" ? "standard input" : path
        let descriptor: Int32
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
            guard descriptor >= 0 else { throw BatchIOError(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
            var status = stat()
            guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                close(descriptor)
                throw BatchIOError(description: "cannot read \(path): it is \(RegularFileReader.kind(of: status.st_mode)), not a regular file; pass a file, or - to read standard input (a pipe)")
            }
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }

        var pending: [UInt8] = []
        pending.reserveCapacity(Self.chunkSize * 2)
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        var output: [UInt8] = []
        output.reserveCapacity(Self.flushThreshold * 2)
        var lineNumber = 0
        // Bytes of `pending` already known to hold no newline; set while skipping the rest of an overlong line.
        var scanned = 0
        var skipping = false
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BatchIOError(description: "cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            pending.append(contentsOf: chunk[..<count])
            var start = 0
            while let newline = pending[(start + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                scanned = 0
                if skipping {
                    skipping = false
                } else {
                    lineNumber += 1
                    evaluate(pending[start..<newline], lineNumber: lineNumber, into: &output)
                }
                start = newline + 1
                if output.count >= Self.flushThreshold { try Self.flush(&output) }
            }
            pending.removeSubrange(..<start)
            if skipping {
                pending.removeAll(keepingCapacity: true)
            } else if pending.count > Self.maximumLineLength {
                lineNumber += 1
                output.append(contentsOf: EvalOutput.writer.bytes(EvalOutput.parseError(line: lineNumber, message: Self.overlongMessage)))
                output.append(UInt8(ascii: "\n"))
                pending.removeAll(keepingCapacity: true)
                skipping = true
            }
            scanned = pending.count
            try Self.flush(&output)
        }
        if !pending.isEmpty {
            lineNumber += 1
            evaluate(pending[...], lineNumber: lineNumber, into: &output)
        }
        try Self.flush(&output)
    }

    /// The PARSE_ERROR message of a line over `maximumLineLength`.
    static let overlongMessage = "the line is longer than \(maximumLineLength) bytes; a request line holds one flag key and its context"

    /// Evaluates one line (without its newline) and appends its result line; blank lines add nothing.
    func evaluate(_ line: ArraySlice<UInt8>, lineNumber: Int, into output: inout [UInt8]) {
        var line = line
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        do {
            let request = try request(line)
            clock.set(request.at)
            EvalOutput.appendJSON(store.details(request.flag, context: request.context), to: &output)
        } catch {
            output.append(contentsOf: EvalOutput.writer.bytes(EvalOutput.parseError(line: lineNumber, message: error.description)))
        }
        output.append(UInt8(ascii: "\n"))
    }

    /// One request line, decoded.
    struct Request {
        /// The flag key.
        var flag: String
        /// The context, with the line's `env` as its environment unless the context names one.
        var context: EvaluationContext
        /// The line's `at`, in Unix seconds.
        var at: Int64?
    }

    /// What is wrong with a request line (the PARSE_ERROR message).
    struct LineError: Error, CustomStringConvertible {
        /// The message.
        var description: String
    }

    /// Decodes `{"flag": …, "context": {…}, "env": …, "at": …}`.
    func request(_ line: ArraySlice<UInt8>) throws(LineError) -> Request {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: line)
        } catch {
            throw LineError(description: "not valid JSON: column \(error.column): \(error.message)")
        }
        guard case .object(let members) = json else {
            throw LineError(description: "a line must be a JSON object like {\"flag\":\"…\",\"context\":{…}}, not \(ContextJSON.kind(of: json))")
        }
        if members.count > 4 || members.keys.contains(where: { !Self.members.contains($0) }) {
            let unknown = members.keys.filter { !Self.members.contains($0) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            throw LineError(description: "unknown member '\(unknown[0])'; a line has flag, context, env and at")
        }
        guard case .string(let flag)? = members["flag"] else {
            let problem = members["flag"].map { "is \(ContextJSON.kind(of: $0)); it must be a string" } ?? "is missing"
            throw LineError(description: "member 'flag' \(problem)")
        }
        var context = EvaluationContext()
        switch members["context"] {
        case nil, .null?:
            break
        case .object(let attributes)?:
            do {
                try ContextJSON.apply(attributes, to: &context)
            } catch {
                throw LineError(description: "context: \(error)")
            }
        case let other?:
            throw LineError(description: "member 'context' is \(ContextJSON.kind(of: other)); it must be an object")
        }
        switch members["env"] {
        case nil, .null?:
            break
        case .string(let environment)?:
            if context.environment == nil { context.environment = environment }
        case let other?:
            throw LineError(description: "member 'env' is \(ContextJSON.kind(of: other)); it must be a string")
        }
        var at: Int64?
        switch members["at"] {
        case nil, .null?:
            break
        case .string(let text)?:
            guard let seconds = Timestamp.parseDateTime(text) else {
                throw LineError(description: "member 'at' ('\(text)') is not an RFC 3339 timestamp like 2026-01-01T00:00:00Z")
            }
            at = seconds
        case let other?:
            throw LineError(description: "member 'at' is \(ContextJSON.kind(of: other)); it must be an RFC 3339 timestamp string")
        }
        return Request(flag: flag, context: context, at: at)
    }

    /// Writes `bytes` to standard output (all of them, retrying short writes) and empties it.
    static func flush(_ bytes: inout [UInt8]) throws(BatchIOError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
        if failure != 0 { throw BatchIOError(description: "cannot write standard output: \(String(cString: strerror(failure)))") }
    }
}
