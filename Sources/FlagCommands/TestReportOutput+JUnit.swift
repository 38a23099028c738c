import FlagCompiler

extension TestReportOutput {
    /// JUnit XML, as CI test reporters read it: one `testsuite` per test file, one `testcase` per result, a
    /// `failure` with the mismatches as its message and the explanation as its text. No times: the output is
    /// the same on every run.
    var junit: String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"flagc test\" tests=\"\(report.results.count)\" failures=\"\(report.failureCount)\" errors=\"0\">\n"
        var byFile: [String: [FlagTestResult]] = [:]
        for result in report.results { byFile[result.file, default: []].append(result) }
        for file in report.files {
            let results = byFile[file] ?? []
            let failures = results.count { !$0.passed }
            xml += "  <testsuite name=\"\(Self.escape(file))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">\n"
            for result in results {
                let attributes = "name=\"\(Self.escape(result.title))\" classname=\"\(Self.escape(result.flag))\" file=\"\(Self.escape(machinePath(result.file)))\" line=\"\(result.location.line)\""
                guard !result.passed else {
                    xml += "    <testcase \(attributes)/>\n"
                    continue
                }
                let body = (result.mismatches.map { "\($0.field): expected \($0.expected), got \($0.actual)" } + result.explanation).joined(separator: "\n")
                xml += "    <testcase \(attributes)>\n"
                xml += "      <failure message=\"\(Self.escape(result.failureMessage))\" type=\"expectation\">\(Self.escape(body, inAttribute: false))</failure>\n"
                xml += "    </testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// Text for an XML attribute or element (`MarkupEscaping`, which the HTML report uses too).
    static func escape(_ text: String, inAttribute: Bool = true) -> String {
        MarkupEscaping.escape(text, inAttribute: inAttribute)
    }
}
