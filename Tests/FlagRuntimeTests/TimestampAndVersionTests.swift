import FlagRuntime
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)), ("2026-12-31T23:59:59Z", 1_798_761_599), ("2026-12-31T23:59:59z", 1_798_761_599),
        ("2027-01-01T01:00:00+01:00", 1_798_761_600), ("2026-12-31t22:00:00-02:00", 1_798_761_600),
        ("2024-02-29T12:00:00Z", 1_709_208_000), ("2026-06-01T00:00:00.999Z", 1_780_272_000), ("1969-12-31T23:59:59Z", -1),
    ])
    func parsesRFC3339(text: String, seconds: Int64) {
        #expect(Timestamp.parseDateTime(text) == seconds)
    }

    @Test(arguments: ["", "2026-12-31", "2026-12-31T23:59:59", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-12-31 23:59:59Z",
                      "2026-12-31T24:00:00Z", "2026-12-31T23:59:59+2:00", "2026-12-31T23:59:59.Z", "26-12-31T23:59:59Z", "2026-12-31T23:59:59Zjunk"])
    func rejectsMalformedTimestamps(text: String) {
        #expect(Timestamp.parseDateTime(text) == nil)
    }

    @Test func datesAndFormattingRoundTrip() {
        #expect(Timestamp.parseDate("2027-06-30") == 1_814_313_600)
        #expect(Timestamp.parseDate("2027-06-31") == nil)
        for seconds: Int64 in [0, 1, 86_399, 1_814_313_600, 1_798_761_599, -86_401, 253_402_300_799] {
            #expect(Timestamp.parseDateTime(Timestamp.format(seconds)) == seconds)
        }
        #expect(Timestamp.format(1_798_761_599) == "2026-12-31T23:59:59Z")
    }
}

@Suite struct SemanticVersionTests {
    /// The precedence example of semver 2.0.0, item 11, in ascending order.
    @Test func precedenceFollowsTheSpecification() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        for (lower, higher) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
            #expect(!(higher < lower))
        }
    }

    @Test func buildMetadataIsIgnored() throws {
        #expect(try #require(SemanticVersion("1.0.0+build.5")) == #require(SemanticVersion("1.0.0")))
        #expect(SemanticVersion("v2.4.0") == SemanticVersion("2.4.0"))
    }

    /// Plain versions take a shorter path than those with a pre-release or build metadata; both read the numbers alike.
    @Test(arguments: [("1.2.3", 1, 2, 3), ("v0.0.0", 0, 0, 0), ("10.20.30", 10, 20, 30), ("18446744073709551615.0.7", .max, 0, 7)] as [(String, UInt64, UInt64, UInt64)])
    func plainVersions(text: String, major: UInt64, minor: UInt64, patch: UInt64) throws {
        let version = try #require(SemanticVersion(text))
        #expect((version.major, version.minor, version.patch) == (major, minor, patch))
        #expect(version.prerelease.isEmpty && version.build.isEmpty)
        #expect(try #require(SemanticVersion(text + "+b")) == version)
        #expect(try #require(SemanticVersion(text + "-rc.1")) < version)
    }

    @Test(arguments: ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3-a..b", "a.b.c", "1.2.3-α",
                      "18446744073709551616.0.0", "1..3", ".1.2", "1.2.", "v", "vv1.2.3", " 1.2.3"])
    func rejectsInvalidVersions(text: String) {
        #expect(SemanticVersion(text) == nil)
    }
}
