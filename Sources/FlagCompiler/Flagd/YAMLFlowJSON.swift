/// JSON text made safe to embed in a YAML document as a flow node, so that YAML 1.1 readers (PyYAML, the Go
/// `yaml.v2` family that `kubectl` uses) and YAML 1.2 readers read exactly the values a JSON reader does.
///
/// ```swift
/// let text = YAMLFlowJSON.embeddable(JSONWriter(style: .pretty).bytes(value))   // still JSON, now also YAML
/// ```
///
/// JSON is nearly a subset of YAML; the differences this closes, all while keeping the text valid JSON with the
/// same value:
/// - A number with an exponent but no fraction (`1e+16`, as `JSONWriter` writes some doubles) is a string for
///   YAML 1.1, whose floats need a `.`: it is written `1.0e+16`.
/// - Inside strings, characters YAML does not allow raw (DEL and the C1 controls U+0080–U+009F), those YAML 1.1
///   reads as line breaks inside a quoted scalar (U+0085, U+2028, U+2029) and U+FEFF, U+FFFE and U+FFFF are
///   written as JSON `\u` escapes of four hex digits (U+0085 as `\u0085`), which JSON and YAML double-quoted
///   scalars read alike.
///
/// `JSONWriter` never writes a raw line break inside a string, so every line break in the text is between tokens.
enum YAMLFlowJSON {
    static func embeddable(_ json: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(json.count + json.count / 16)
        var index = 0
        var inString = false
        while index < json.count {
            let byte = json[index]
            if inString {
                switch byte {
                case UInt8(ascii: "\\"):
                    // An escape: copy it and the escaped character, which may be `"`.
                    output.append(byte)
                    if index + 1 < json.count { output.append(json[index + 1]) }
                    index += 2
                    continue
                case UInt8(ascii: "\""):
                    inString = false
                case 0x7F:
                    appendEscape(0x7F, to: &output)
                    index += 1
                    continue
                case 0xC2 where index + 1 < json.count && (0x80...0x9F).contains(json[index + 1]):
                    appendEscape(UInt32(json[index + 1]), to: &output)
                    index += 2
                    continue
                case 0xE2 where index + 2 < json.count && json[index + 1] == 0x80 && (json[index + 2] == 0xA8 || json[index + 2] == 0xA9):
                    appendEscape(0x2000 | UInt32(json[index + 2] & 0x3F), to: &output)
                    index += 3
                    continue
                case 0xEF where index + 2 < json.count && json[index + 1] == 0xBB && json[index + 2] == 0xBF:
                    appendEscape(0xFEFF, to: &output)
                    index += 3
                    continue
                case 0xEF where index + 2 < json.count && json[index + 1] == 0xBF && (json[index + 2] == 0xBE || json[index + 2] == 0xBF):
                    appendEscape(0xFFC0 | UInt32(json[index + 2] & 0x3F), to: &output)
                    index += 3
                    continue
                default:
                    break
                }
                output.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                output.append(byte)
                index += 1
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                // A number token: `-`, digits, an optional fraction, an optional exponent.
                var end = index + 1
                var hasFraction = false
                var exponent: Int?
                while end < json.count {
                    let next = json[end]
                    if next == UInt8(ascii: ".") {
                        hasFraction = true
                    } else if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                        exponent = end
                    } else if !(next == UInt8(ascii: "+") || next == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next)) {
                        break
                    }
                    end += 1
                }
                if let exponent, !hasFraction {
                    output += json[index..<exponent]
                    output += [UInt8(ascii: "."), UInt8(ascii: "0")]
                    output += json[exponent..<end]
                } else {
                    output += json[index..<end]
                }
                index = end
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func appendEscape(_ scalar: UInt32, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hex[Int((scalar >> UInt32(shift)) & 0xF)])
        }
    }
}
