import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `flagc serve`'s graceful shutdown, over real sockets: SIGTERM with an event stream open and evaluations in
/// flight (their bodies half sent).
@Suite(.timeLimit(.minutes(2))) struct ServeShutdownTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let flag = "project.beta_features"
    static let body = #"{"context":{"targetingKey":"user-1842","groups":["beta-testers"],"plan":"pro"}}"#

    @Test func sigtermEndsTheEventStreamRefusesNewConnectionsFinishesRequestsInFlightAndExitsZero() throws {
        try withSandbox { sandbox in
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("flags"), to: sandbox.url("flags"))
            #expect(try sandbox.flagc("compile", "flags", "--out", "build").status == 0)
            let server = try ServeProcess(arguments: ["serve", "build/snapshot.json", "--port", "0", "--log-level", "warning"], in: sandbox.url(""))
            defer { server.stop() }

            // The answer an evaluation gets from a server that is not shutting down: what the ones in flight must get.
            let reference = try LoopbackConnection(port: server.port)
            try reference.send(Self.evaluationHead + Self.body)
            let expected = try reference.receiveResponse()
            #expect(expected.status == 200)
            #expect(expected.body.contains(#""key":"\#(Self.flag)""#), "\(expected.body)")
            reference.close()

            // An open event stream: its opening comment shows the server holds the stream.
            let events = try LoopbackConnection(port: server.port)
            try events.send("GET /ofrep/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            let opening = try events.receive(until: "retry: 5000\n\n")
            #expect(opening.hasPrefix("HTTP/1.1 200"), "\(opening)")

            // Evaluations in flight: on each connection, one write holds a whole GET /healthz and then the head and
            // the first half of an evaluation's body. The server reads such a small write at once, so its answer to
            // /healthz shows that it has the evaluation's head too: that request is in flight, waiting for its body.
            let split = Self.body.index(Self.body.startIndex, offsetBy: Self.body.utf8.count / 2)
            var inFlight: [LoopbackConnection] = []
            for _ in 0..<8 {
                let connection = try LoopbackConnection(port: server.port)
                try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + Self.evaluationHead + Self.body[..<split])
                let health = try connection.receiveResponse()
                #expect(health.status == 200)
                inFlight.append(connection)
            }

            #expect(kill(server.process.processIdentifier, SIGTERM) == 0)

            // The event stream ends with the last chunk of its response and the connection closes; it does not hold
            // shutdown up.
            let rest = try events.receiveToEnd()
            #expect(rest.hasSuffix("0\r\n\r\n"), "the event stream ended with \(rest.debugDescription)")

            // The listener closes while the evaluations are still in flight: new connections are refused.
            #expect(LoopbackConnection.isRefused(port: server.port, within: .seconds(20)), "new connections were still accepted 20 s after SIGTERM")
            #expect(server.process.isRunning, "the server waits for the requests in flight")

            // The rest of each body arrives: each evaluation answers 200 with the whole body, then its connection closes.
            for connection in inFlight {
                try connection.send(String(Self.body[split...]))
                let response = try connection.receiveResponse()
                #expect(response.status == 200)
                #expect(response.body == expected.body)
                #expect(try connection.receiveToEnd() == "", "the connection closes after the answer")
            }
            #expect(server.waitForExit(within: .seconds(20)) == 0)
        }
    }

    /// The head of a single-flag evaluation whose body is `body`.
    static var evaluationHead: String {
        "POST /ofrep/v1/evaluate/flags/\(flag) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
    }
}

/// A plain TCP connection to 127.0.0.1 that writes HTTP/1.1 by hand, so a test controls what is in flight; every
/// read waits at most `timeout`.
final class LoopbackConnection {
    private var socket: Int32
    private var buffer: [UInt8] = []
    let timeout: Duration

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A parsed response: the status and the body (read by `Content-Length`).
    struct Response {
        var status: Int
        var head: String
        var body: String
    }

    init(port: Int, timeout: Duration = .seconds(20)) throws {
        self.timeout = timeout
        socket = try Self.connect(port: port)
    }

    deinit { close() }

    func close() {
        if socket >= 0 { _ = closeSocket(socket) }
        socket = -1
    }

    /// Whether connecting to `port` is refused within `limit` (connections that still succeed are closed at once).
    static func isRefused(port: Int, within limit: Duration) -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            do {
                let socket = try connect(port: port)
                _ = closeSocket(socket)
            } catch let error as ConnectError where error.code == ECONNREFUSED {
                return true
            } catch {
                return false
            }
            usleep(10_000)
        }
        return false
    }

    struct ConnectError: Error {
        var code: Int32
    }

    private static func connect(port: Int) throws -> Int32 {
        #if canImport(Glibc)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw ConnectError(code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                Darwin.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard result == 0 else {
            let code = errno
            _ = closeSocket(socket)
            throw ConnectError(code: code)
        }
        return socket
    }

    /// Writes all of `text`.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let count = bytes[sent...].withUnsafeBytes { sendBytes(socket, $0.baseAddress, $0.count, flags) }
            guard count > 0 else { throw Failure(description: "send failed: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    /// Reads once more into the buffer; false at the end of the stream.
    private func fill(until deadline: ContinuousClock.Instant) throws -> Bool {
        let remaining = deadline - ContinuousClock.now
        let milliseconds = Int32(max(0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) == 1 else {
            throw Failure(description: "nothing arrived within \(timeout); so far: \(String(decoding: buffer, as: UTF8.self).debugDescription)")
        }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count < 0, errno == ECONNRESET { return false }
        guard count >= 0 else { throw Failure(description: "recv failed: \(String(cString: strerror(errno)))") }
        buffer.append(contentsOf: chunk[..<count])
        return count > 0
    }

    /// Everything up to and including the first `marker`.
    func receive(until marker: String) throws -> String {
        let deadline = ContinuousClock.now + timeout
        let marker = Array(marker.utf8)
        while true {
            if let range = Self.firstRange(of: marker, in: buffer) {
                let text = String(decoding: buffer[..<range.upperBound], as: UTF8.self)
                buffer.removeFirst(range.upperBound)
                return text
            }
            guard try fill(until: deadline) else {
                throw Failure(description: "the connection closed before \(String(decoding: marker, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// One response with a `Content-Length` body.
    func receiveResponse() throws -> Response {
        let head = try receive(until: "\r\n\r\n")
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw Failure(description: "not an HTTP response: \(head.debugDescription)")
        }
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let deadline = ContinuousClock.now + timeout
        while buffer.count < length {
            guard try fill(until: deadline) else { throw Failure(description: "the connection closed inside a body") }
        }
        let body = String(decoding: buffer[..<length], as: UTF8.self)
        buffer.removeFirst(length)
        return Response(status: status, head: head, body: body)
    }

    /// Everything until the server closes the connection.
    func receiveToEnd() throws -> String {
        let deadline = ContinuousClock.now + timeout
        while try fill(until: deadline) {}
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func firstRange(of marker: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard bytes.count >= marker.count else { return nil }
        for start in 0...(bytes.count - marker.count) where bytes[start..<(start + marker.count)].elementsEqual(marker) {
            return start..<(start + marker.count)
        }
        return nil
    }
}

#if canImport(Glibc)
private func closeSocket(_ socket: Int32) -> Int32 { Glibc.close(socket) }
private func sendBytes(_ socket: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int { Glibc.send(socket, bytes, count, flags) }
#else
private func closeSocket(_ socket: Int32) -> Int32 { Darwin.close(socket) }
private func sendBytes(_ socket: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int { Darwin.send(socket, bytes, count, flags) }
#endif
