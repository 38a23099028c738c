/// Parsing of the RFC 3339 timestamps and dates that flag files, contexts and the CLI use, to Unix seconds.
package enum Timestamp {
    /// Parses an RFC 3339 date-time with an offset (`2026-12-31T23:59:59Z`, `2026-12-31T23:59:59+02:00`,
    /// optional fractional seconds, which are truncated towards the past) to Unix seconds.
    package static func parseDateTime(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let days = parseDatePart(bytes), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") else {
            return nil
        }
        guard let hour = digits(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"), let minute = digits(bytes, 14, 2),
              bytes[16] == UInt8(ascii: ":"), let second = digits(bytes, 17, 2),
              hour < 24, minute < 60, second < 61 else {
            return nil
        }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset: Int64 = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard bytes.count == index + 6, let offsetHour = digits(bytes, index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                  let offsetMinute = digits(bytes, index + 4, 2), offsetHour < 24, offsetMinute < 60 else {
                return nil
            }
            offset = (offsetHour * 3600 + offsetMinute * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        return days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset
    }

    /// Whether an RFC 3339 timestamp that `parseDateTime` accepts names second 60 (a leap second, which
    /// `parseDateTime` reads as second 59). Flag files refuse it; contexts keep the documented reading.
    package static func isLeapSecond(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(19))
        return bytes.count == 19 && bytes[17] == UInt8(ascii: "6") && bytes[18] == UInt8(ascii: "0")
    }

    /// Parses a calendar date `YYYY-MM-DD` to the Unix seconds of its midnight, UTC.
    package static func parseDate(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, let days = parseDatePart(bytes) else { return nil }
        return days * 86_400
    }

    /// Formats Unix seconds as an RFC 3339 UTC timestamp, `2026-12-31T23:59:59Z`.
    package static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    private static func parseDatePart(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count >= 10, let year = digits(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"), let month = digits(bytes, 5, 2),
              bytes[7] == UInt8(ascii: "-"), let day = digits(bytes, 8, 2), (1...12).contains(month), day >= 1,
              day <= daysInMonth(year: year, month: month) else {
            return nil
        }
        return daysFromCivil(year: year, month: month, day: day)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func digits(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + count) {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int64(bytes[index] - 48)
        }
        return value
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
