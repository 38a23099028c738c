import FlagCompiler
import FlagRuntime
import Foundation
import Synchronization

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
    let clock: SettableClock
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
            do {
                descriptor = try RegularFileReader.openRegularFile(path).descriptor
            } catch {
                let hint = if case .notRegularFile = error.kind { "; pass a file, or - to read standard input (a pipe)" } else { "" }
                throw BatchIOError(description: "cannot read \(path): \(error)\(hint)")
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
            output.append(contentsOf: EvalOutput.json(store.details(request.flag, context: request.context)))
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
            let unknown = members.keys.filter { !Self.members.contains($0) }.sorted { precedesByUTF8($0, $1) }
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
