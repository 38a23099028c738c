import FlagRuntime
@testable import FlagServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /ofrep/v1/evaluate/flags/{key}`: every status OFREP 0.3.0 defines, with its body.
@Suite struct SingleFlagTests {
    @Test func aFlagIsEvaluatedWithKeyValueVariantReasonAndMetadata() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: jsonHeaders, body: json(#"{"context":{"targetingKey":"u1"}}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == #"{"key":"ui.theme","metadata":{"owner":"team-ui"},"reason":"STATIC","value":"light","variant":"light"}"#)
            }
        }
    }

    @Test func aSplitGivesWhatTheRuntimeGives() async throws {
        let server = try TestServer()
        let expected = server.watcher.store.details("ui.rollout", context: EvaluationContext(targetingKey: "user-7"))
        try await server.test { client in
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.rollout", method: .post, headers: jsonHeaders, body: json(#"{"context":{"targetingKey":"user-7"}}"#)) { response in
                let body = try object(response)
                #expect(body["reason"] as? String == "SPLIT")
                #expect(body["variant"] as? String == expected.variant)
                #expect(body["value"] as? Bool == (expected.value == .boolean(true)))
            }
        }
    }

    @Test func anUnknownFlagIs404FlagNotFound() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/no.such", method: .post, headers: jsonHeaders, body: json(#"{"context":{"targetingKey":"u1"}}"#)) { response in
                #expect(response.status == .notFound)
                let body = try object(response)
                #expect(body["key"] as? String == "no.such")
                #expect(body["errorCode"] as? String == "FLAG_NOT_FOUND")
                #expect((body["errorDetails"] as? String)?.contains("no.such") == true)
            }
        }
    }

    @Test func aDisabledFlagTellsTheCallerToUseItsDefault() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/billing.retired", method: .post, headers: jsonHeaders, body: json(#"{"context":{"targetingKey":"u1"}}"#)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"key":"billing.retired","metadata":{},"reason":"DISABLED"}"#)
            }
        }
    }

    @Test(arguments: [
        (#"{"context":{"targetingKey":"u1"}"#, "PARSE_ERROR"),
        (#"[1,2]"#, "PARSE_ERROR"),
        (#"{"context":{"targetingKey":"u1","a":{"b":{"c":{"d":1}}}}}"#, "PARSE_ERROR"),
        (#"{"context":{"targetingKey":"u1","address":{"city":"Oslo"}}}"#, "INVALID_CONTEXT"),
        (#"{"context":{"targetingKey":7}}"#, "INVALID_CONTEXT"),
        (#"{"context":"u1"}"#, "INVALID_CONTEXT"),
        (#"{"context":{"targetingKey":"u1","environment":"prod"}}"#, "INVALID_CONTEXT"),
    ])
    func aBadRequestIs400WithItsErrorCode(body: String, code: String) async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: jsonHeaders, body: json(body)) { response in
                #expect(response.status == .badRequest)
                let object = try object(response)
                #expect(object["errorCode"] as? String == code)
                #expect(object["key"] as? String == "ui.theme")
            }
        }
    }

    @Test func aSplitWithoutATargetingKeyIsTargetingKeyMissing() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.rollout", method: .post, headers: jsonHeaders, body: json(#"{"context":{"plan":"pro"}}"#)) { response in
                #expect(response.status == .badRequest)
                let code = try object(response)["errorCode"] as? String
                #expect(code == "TARGETING_KEY_MISSING")
            }
            // A flag that does not hash the key evaluates without one (and without any context at all).
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: jsonHeaders, body: json("{}")) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aBodyOverMaxBodyIs413AndAWrongContentTypeIs415() async throws {
        try await TestServer().test { client in
            let large = #"{"context":{"targetingKey":""# + String(repeating: "x", count: 2000) + #""}}"#
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: jsonHeaders, body: json(large)) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: [.contentType: "text/plain"], body: json("{}")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: [.contentType: "application/json; charset=utf-8"], body: json("{}")) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func theEnvironmentOfTheContextIsUsedWhenTheSnapshotDeclaresIt() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: jsonHeaders, body: json(#"{"context":{"targetingKey":"u","environment":"staging"}}"#)) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

/// `POST /ofrep/v1/evaluate/flags`: all flags, failures inside a 200, the ETag rules.
@Suite struct BulkEvaluationTests {
    func bulk(_ client: some TestClientProtocol, _ body: String = #"{"context":{"targetingKey":"u1"}}"#, etag: String? = nil) async throws -> TestResponse {
        var headers = jsonHeaders
        if let etag { headers[.ifNoneMatch] = etag }
        return try await client.execute(uri: "/ofrep/v1/evaluate/flags", method: .post, headers: headers, body: json(body))
    }

    @Test func everyFlagIsEvaluatedWithFailuresInside() async throws {
        try await TestServer().test { client in
            let response = try await bulk(client, #"{"context":{"plan":"pro"}}"#)
            #expect(response.status == .ok)
            let body = try object(response)
            let flags = body["flags"] as? [[String: Any]] ?? []
            #expect(flags.compactMap { $0["key"] as? String } == ["billing.retired", "billing.seats", "ui.rollout", "ui.theme"])
            #expect(flags[2]["errorCode"] as? String == "TARGETING_KEY_MISSING")
            #expect(flags[0]["reason"] as? String == "DISABLED" && flags[0]["value"] == nil)
            #expect(flags[1]["value"] as? Int == 10)
            let streams = body["eventStreams"] as? [[String: Any]] ?? []
            #expect(streams.first?["type"] as? String == "sse")
            #expect((streams.first?["endpoint"] as? [String: Any])?["requestUri"] as? String == "/ofrep/v1/events")
        }
    }

    @Test func aMatchingIfNoneMatchIs304WithoutABody() async throws {
        try await TestServer().test { client in
            let first = try await bulk(client)
            let etag = try #require(first.headers[.eTag])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
            let second = try await bulk(client, etag: etag)
            #expect(second.status == .notModified)
            #expect(second.body.readableBytes == 0)
            #expect(second.headers[.eTag] == etag)
            #expect(try await bulk(client, etag: "W/\(etag)").status == .notModified)
            #expect(try await bulk(client, etag: "\"other\", \(etag)").status == .notModified)
            #expect(try await bulk(client, etag: "\"other\"").status == .ok)
        }
    }

    @Test func theETagChangesWithTheContextTheEnvironmentAndTheSnapshot() async throws {
        let server = try TestServer()
        try await server.test { client in
            let base = try #require(try await bulk(client).headers[.eTag])
            #expect(try await bulk(client).headers[.eTag] == base, "the same answer has the same tag")
            let otherUser = try await bulk(client, #"{"context":{"targetingKey":"someone-else-entirely"}}"#).headers[.eTag]
            let staging = try await bulk(client, #"{"context":{"targetingKey":"u1","environment":"staging"}}"#).headers[.eTag]
            #expect(staging != base)
            _ = otherUser
            try server.files.write(testSnapshot(theme: "dark"), to: TestServer.path)
            guard case .reloaded = server.watcher.reload() else { Issue.record("no reload"); return }
            let reloaded = try await bulk(client, etag: base)
            #expect(reloaded.status == .ok, "a new snapshot answers again")
            #expect(reloaded.headers[.eTag] != base)
        }
    }

    @Test func aBadContextFailsTheWholeRequest() async throws {
        try await TestServer().test { client in
            let response = try await bulk(client, #"{"context":{"a":null}}"#)
            #expect(response.status == .badRequest)
            let body = try object(response)
            #expect(body["errorCode"] as? String == "INVALID_CONTEXT")
            #expect(body["key"] == nil)
        }
    }
}

/// The `Content-Type` check every request with a body goes through (415 unless it is JSON).
@Suite struct ContentTypeTests {
    @Test(arguments: [
        ("application/json", true), ("Application/JSON", true), ("application/json; charset=utf-8", true),
        ("  application/json\t;charset=utf-8", true), ("application/json ; q=1", true), ("application/merge-patch+json", true),
        ("APPLICATION/VND.API+JSON", true), ("\tapplication/problem+json\t", true), ("application/+json", true),
        ("text/plain", false), ("text/json", false), ("application/jsonx", false), ("application/json5", false),
        ("application/", false), ("application/j", false), ("application /json", false), ("application/xml+jsonp", false),
        ("application/x-www-form-urlencoded", false), ("json", false), ("", false), (" ", false), (";", false),
        ("; application/json", false),
    ])
    func jsonMediaTypesAreRecognised(type: String, isJSON: Bool) {
        #expect(OFREPRoutes.isJSON(type) == isJSON)
    }
}

/// `HTTPFields.value(of:)` gives what the subscript gives: nil, the one value, or the values joined.
@Suite struct HeaderValueTests {
    @Test func oneFieldSeveralFieldsAndNone() {
        var fields: HTTPFields = [.contentType: "application/json", .accept: "*/*"]
        #expect(fields.value(of: .contentType) == "application/json")
        #expect(fields.value(of: .contentLength) == nil)
        fields.append(HTTPField(name: .contentType, value: "text/plain"))
        #expect(fields.value(of: .contentType) == fields[.contentType])
        #expect(fields.value(of: .contentType) == "application/json, text/plain")
        fields.append(HTTPField(name: .cookie, value: "a=1"))
        fields.append(HTTPField(name: .cookie, value: "b=2"))
        #expect(fields.value(of: .cookie) == "a=1; b=2")
    }
}

/// `If-None-Match` matching trims candidates as Foundation's `trimmingCharacters(in: .whitespaces)` does (which
/// counts U+200B as white space).
@Suite struct ETagMatchingTests {
    static let etag = #""0123456789abcdef0123456789abcdef""#

    @Test(arguments: [
        (#""0123456789abcdef0123456789abcdef""#, true), (#" "0123456789abcdef0123456789abcdef" "#, true),
        (#"W/"0123456789abcdef0123456789abcdef""#, true), ("\t W/\"0123456789abcdef0123456789abcdef\"\t", true),
        (#""other", "0123456789abcdef0123456789abcdef""#, true), (#""other","#, false), ("*", true), (" * ", true),
        ("\u{A0}\"0123456789abcdef0123456789abcdef\"\u{3000}", true), ("\u{2003}*", true),
        ("\n\"0123456789abcdef0123456789abcdef\"", false), ("\u{200B}*", true), (#"w/"0123456789abcdef0123456789abcdef""#, false),
        (#""0123456789ABCDEF0123456789ABCDEF""#, false), ("", false), (" , ", false), (#""0123456789abcdef0123456789abcde""#, false),
    ])
    func candidatesAreTrimmedAsFoundationTrimsThem(condition: String, matches: Bool) {
        #expect(ETag.matches(condition, Self.etag) == matches)
        for candidate in condition.split(separator: ",") {
            #expect(ETag.trimmed(candidate) == candidate.trimmingCharacters(in: .whitespaces), "\(candidate.unicodeScalars.map(\.value))")
        }
    }
}
