import FlagRuntime
@testable import FlagServer
import Testing

/// `ContextJSON.plainRequestContext` (bytes straight into the context) against the general path it stands in
/// for (`OFREPRequest.generalContext`: a `JSONValue` tree, then `ContextJSON.apply`): on every body, the plain
/// path either declines (nil) or gives the general path's context, and `OFREPRequest.context` answers exactly
/// as the general path does, errors and their messages included.
@Suite struct PlainRequestContextTests {
    /// What the general path answers, and then the environment check, as `OFREPRequest.context` did before the
    /// plain path existed.
    static func generalAnswer(_ body: [UInt8]) -> Result<EvaluationContext, OFREPRequest.Failure> {
        do throws(OFREPRequest.Failure) {
            let context = try OFREPRequest.generalContext(from: body)
            if let environment = context.environment, let problem = environments(environment) {
                throw OFREPRequest.Failure(code: .invalidContext, details: "context: \(problem)")
            }
            return .success(context)
        } catch {
            return .failure(error)
        }
    }

    static func answer(_ body: [UInt8]) -> Result<EvaluationContext, OFREPRequest.Failure> {
        do throws(OFREPRequest.Failure) {
            return .success(try OFREPRequest.context(from: body, environments: environments))
        } catch {
            return .failure(error)
        }
    }

    static func environments(_ environment: String?) -> String? {
        environment == "production" || environment == "staging" ? nil : "environment '\(environment ?? "")' is not one of the snapshot's"
    }

    /// Checks one body; returns whether the plain path read it.
    @discardableResult
    static func check(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let general = generalAnswer(body)
        #expect(answer(body) == general, "\(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        guard let plain = ContextJSON.plainRequestContext(body, maximumDepth: OFREPRequest.maximumDepth) else { return false }
        // The plain path reads only what the general path accepts (before the environment check).
        #expect((try? OFREPRequest.generalContext(from: body)) == plain, "\(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        return true
    }

    /// Bodies of the plain shape: read by the plain path, with the general path's context.
    static let plain: [String] = [
        #"{"context":{"targetingKey":"user-1842","groups":["beta-testers"],"plan":"pro","tenant":"acme","country":"DE","app_version":"4.2.0"}}"#,
        #"{}"#,
        #"  {  }  "#,
        #"{"context":null}"#,
        #"{"context":{}}"#,
        #"{"context":{"targetingKey":""}}"#,
        #"{"context":{"environment":"production","targetingKey":"u"}}"#,
        #"{"context":{"environment":"nowhere"}}"#,
        "{\n\t\"context\" :\r\n {\"a\" : [ ] , \"b\" : [ \"x\" , \"y\" ] }\n}\n",
        #"{"context":{"n":0,"m":-0,"i":9007199254740993,"big":123456789012345678901234567890,"d":0.1,"e":1E2,"f":-1.5e-3,"g":1e308}}"#,
        #"{"context":{"min":-9223372036854775808,"max":9223372036854775807,"over":9223372036854775808}}"#,
        #"{"context":{"t":true,"f":false}}"#,
        #"{"context":{"escaped":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00","nul":"\u0000"}}"#,
        #"{"context":{"targetingKey":"\u0075ser","plan":"ünïcødé 😀"}}"#,
        #"{"context":{"del\#u{7F}":"x"," sp ace ":"y","":"empty name"}}"#,
    ]

    /// Bodies outside the plain shape: the general path answers (accepts some, refuses most).
    static let other: [String] = [
        "", "   ", "\n",
        #"{"context":{"targetingKey":"u1"}"#,
        #"[1,2]"#, #""context""#, #"42"#, #"null"#, #"true"#,
        #"{"context":{"targetingKey":"u1","a":{"b":{"c":{"d":1}}}}}"#,
        #"{"context":{"a":[[["deep"]]]}}"#,
        #"[[[[[[1]]]]]]"#,
        #"{"context":{"a":null}}"#,
        #"{"context":{"a":{}}}"#,
        #"{"context":{"a":[1]}}"#,
        #"{"context":{"a":["x",1]}}"#,
        #"{"context":{"a":["x",null]}}"#,
        #"{"context":{"targetingKey":1}}"#,
        #"{"context":{"targetingKey":null}}"#,
        #"{"context":{"environment":["production"]}}"#,
        #"{"context":"user-1"}"#,
        #"{"context":[]}"#,
        #"{"context":{"a":1,"a":2}}"#,
        #"{"context":{"targetingKey":"a","targetingKey":"b"}}"#,
        #"{"context":{"environment":"production","environment":"staging"}}"#,
        #"{"context":{"\u00e9":1,"e\u0301":2}}"#,
        #"{"context":{"é":1,"é":2}}"#,
        #"{"context":{"targetin\u0067Key":"escaped-name"}}"#,
        "{\"context\":{\"targeting\u{212A}ey\":\"kelvin sign\"}}",
        #"{"context":{"a":1},"context":{"b":2}}"#,
        #"{"context":{"a":1},"flagConfigEtag":"abc"}"#,
        #"{"other":1}"#,
        #"{"other":{"deep":[[[1]]]}}"#,
        #"{"context":{"a":1e400}}"#,
        #"{"context":{"a":-1e400}}"#,
        #"{"context":{"a":01}}"#,
        #"{"context":{"a":+1}}"#,
        #"{"context":{"a":.5}}"#,
        #"{"context":{"a":1.}}"#,
        #"{"context":{"a":1e}}"#,
        #"{"context":{"a":-}}"#,
        #"{"context":{"a":NaN}}"#,
        #"{"context":{"a":tru}}"#,
        #"{"context":{"a":truex}}"#,
        #"{"context":{"a":"\x"}}"#,
        #"{"context":{"a":"\u12"}}"#,
        #"{"context":{"a":"\ud800"}}"#,
        #"{"context":{"a":"\udc00"}}"#,
        #"{"context":{"a":"\ud800\u0041"}}"#,
        "{\"context\":{\"a\":\"tab\there\"}}",
        #"{"context":{"a":1,}}"#,
        #"{"context":{"a":["x",]}}"#,
        #"{"context":{,}}"#,
        #"{"context":{"a" 1}}"#,
        #"{"context":{"a":1} x"#,
        #"{"context":{"a":1}} x"#,
        #"{"context":{"a":1}}{}"#,
        #"{"context":{'a':1}}"#,
        #"{context:{}}"#,
    ]

    @Test func bodiesOfThePlainShapeAreReadByThePlainPathWithTheGeneralPathsContext() {
        for body in Self.plain {
            #expect(Self.check(Array(body.utf8)), "not read by the plain path: \(body)")
        }
    }

    @Test func otherBodiesAreAnsweredByTheGeneralPath() {
        for body in Self.other { #expect(!Self.check(Array(body.utf8)), "read by the plain path: \(body)") }
    }

    @Test func invalidUTF8AndByteOrderMarksAreTheGeneralPathsToRefuse() {
        let prefix = Array(#"{"context":{"a":""#.utf8), suffix = Array(#""}}"#.utf8)
        let sequences: [[UInt8]] = [[0x80], [0xC0, 0x80], [0xC3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5], [0xFF], [0xF0, 0x9F, 0x98]]
        for bytes in sequences {
            #expect(!Self.check(prefix + bytes + suffix), "value \(bytes)")
            #expect(!Self.check(Array(#"{"context":{""#.utf8) + bytes + Array(#"":1}}"#.utf8)), "name \(bytes)")
        }
        #expect(!Self.check([0xEF, 0xBB, 0xBF] + Array(#"{"context":{}}"#.utf8)))
    }

    /// Every truncation of the plain bodies, and every byte of them replaced by one that changes the structure:
    /// thousands of bodies, most refused, all answered as the general path answers them.
    @Test func truncatedAndCorruptedBodiesAreAnsweredAsTheGeneralPathAnswersThem() {
        let replacements = Array(#"" \,:{}[]0-n.eE"#.utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xC3, 0xFF]
        var read = 0, total = 0
        for body in Self.plain.prefix(13).map({ Array($0.utf8) }) {
            for end in 0..<body.count {
                total += 1
                if Self.check(Array(body[..<end])) { read += 1 }
            }
            for index in body.indices {
                for byte in replacements where byte != body[index] {
                    var corrupted = body
                    corrupted[index] = byte
                    total += 1
                    if Self.check(corrupted) { read += 1 }
                }
            }
        }
        // Some corruptions keep the plain shape (a changed letter in a string), most do not: both paths are exercised.
        #expect(read > 100 && read < total - 1_000, "\(read) of \(total) read by the plain path")
    }

    @Test func aDepthTooSmallForAnArrayOfStringsIsLeftToTheGeneralPath() {
        let body = Array(#"{"context":{"a":["x"]}}"#.utf8)
        #expect(ContextJSON.plainRequestContext(body, maximumDepth: 2) == nil)
        #expect(ContextJSON.plainRequestContext(body, maximumDepth: 3) == EvaluationContext(attributes: ["a": .strings(["x"])]))
    }
}
