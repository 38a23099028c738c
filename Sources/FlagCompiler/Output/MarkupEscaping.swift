/// Escaping for XML and HTML text: what the JUnit report and the HTML report write.
package enum MarkupEscaping {
    /// Text for an XML attribute or element: the five entities escaped, and characters XML 1.0 cannot hold
    /// (controls other than tab, newline and carriage return) replaced by U+FFFD. In an attribute, tab, newline
    /// and carriage return are written as references too (a parser would turn them into spaces); element text
    /// keeps its lines.
    package static func escape(_ text: String, inAttribute: Bool = true) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\n" where inAttribute: escaped += "&#10;"
            case "\r": escaped += "&#13;"
            case "\t" where inAttribute: escaped += "&#9;"
            case "\n", "\t": escaped.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF {
                    escaped.unicodeScalars.append("\u{FFFD}")
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}
