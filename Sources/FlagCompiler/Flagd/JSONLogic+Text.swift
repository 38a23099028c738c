import FlagRuntime

/// JSONLogic that reads RFC 3339 timestamps and checks the shape of semantic versions exactly as `FlagRuntime`
/// does (`Timestamp.parseDateTime`, `SemanticVersion`), with `substr`, `in`, `===` and arithmetic only.
extension JSONLogic {
    /// The longest fraction of a second (digits after `.`) that `rfc3339Seconds` reads; a string with a longer
    /// fraction does not count as a timestamp in the exported JSONLogic (flagc reads any length).
    static let maximumFractionDigits = 18

    /// Cumulative days before each month of a common year, three digits per month, read with `substr`.
    static let daysBeforeMonth = "000031059090120151181212243273304334"

    /// Days from 0000-01-01 to 1970-01-01 in the proleptic Gregorian calendar.
    static let daysToUnixEpoch: Int64 = 719_528

    /// The Unix seconds of `text` when it is an RFC 3339 date-time with an offset, as flagc reads it: `valid`
    /// holds exactly when `Timestamp.parseDateTime` accepts the string (for fractions of up to
    /// `maximumFractionDigits` digits), and `seconds` is then its value (fraction truncated, `:60` read as `:59`).
    /// `text` must already be known to be a string.
    static func rfc3339(_ text: JSONValue) -> (valid: JSONValue, seconds: JSONValue) {
        func character(_ index: Int64) -> JSONValue { op("substr", text, .integer(index), .integer(1)) }
        // `in` on a string haystack is a substring test, so this also holds for "" (past the end): callers check
        // the length first.
        func digit(_ index: Int64) -> JSONValue { op("in", character(index), .string("0123456789")) }
        func literal(_ index: Int64, _ expected: String) -> JSONValue { op("===", character(index), .string(expected)) }
        func number(_ index: Int64, _ count: Int64) -> JSONValue { op("+", op("substr", text, .integer(index), .integer(count))) }

        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2)
        let offsetHour = number(-5, 2), offsetMinute = number(-2, 2)

        let zulu = op("in", op("substr", text, .integer(-1)), strings(["Z", "z"]))
        let numericOffset = and([
            op("!==", character(24), .string("")),
            op("in", character(-6), strings(["+", "-"])),
            digit(-5), digit(-4), literal(-3, ":"), digit(-2), digit(-1),
            op("<", offsetHour, .integer(24)), op("<", offsetMinute, .integer(60)),
        ])
        // Between the seconds and the offset: nothing, or "." and 1…maximumFractionDigits digits.
        let middle = op("substr", text, .integer(19), op("if", zulu, .integer(-1), .integer(-6)))
        func middleCharacter(_ index: Int) -> JSONValue { op("substr", middle, .integer(Int64(index)), .integer(1)) }
        var fraction = [op("===", middleCharacter(0), .string(".")), op("!==", middleCharacter(1), .string(""))]
        for index in 1...maximumFractionDigits {
            fraction.append(op("in", middleCharacter(index), .string("0123456789")))
        }
        fraction.append(op("===", middleCharacter(maximumFractionDigits + 1), .string("")))

        let valid = and([
            op("!==", character(19), .string("")),
            digit(0), digit(1), digit(2), digit(3), literal(4, "-"), digit(5), digit(6), literal(7, "-"), digit(8), digit(9),
            op("in", character(10), strings(["T", "t"])),
            digit(11), digit(12), literal(13, ":"), digit(14), digit(15), literal(16, ":"), digit(17), digit(18),
            op("<=", .integer(1), month, .integer(12)),
            op("<=", .integer(1), day, daysInMonth(year: year, month: month)),
            op("<", hour, .integer(24)), op("<", minute, .integer(60)), op("<", second, .integer(61)),
            or([zulu, numericOffset]),
            or([op("===", middle, .string("")), and(fraction)]),
        ])

        let sign = op("if", op("===", character(-6), .string("-")), .integer(-1), .integer(1))
        let offsetSeconds = op("if", zulu, .integer(0), op("*", op("+", op("*", offsetHour, .integer(3600)), op("*", offsetMinute, .integer(60))), sign))
        let seconds = op("+", arguments: [
            op("*", daysSinceEpoch(year: year, month: month, day: day), .integer(86_400)),
            op("*", hour, .integer(3600)),
            op("*", minute, .integer(60)),
            op("min", second, .integer(59)),
            op("*", offsetSeconds, .integer(-1)),
        ])
        return (valid, seconds)
    }

    /// `⌊n / divisor⌋` for integral `n ≥ 0` (where every evaluator's `%` agrees: Python's is floored, Go's and
    /// JavaScript's truncate).
    static func floorDivision(_ n: JSONValue, _ divisor: Int64) -> JSONValue {
        op("/", op("-", n, op("%", n, .integer(divisor))), .integer(divisor))
    }

    /// Whether `year` is a Gregorian leap year.
    static func isLeapYear(_ year: JSONValue) -> JSONValue {
        and([
            op("===", op("%", year, .integer(4)), .integer(0)),
            or([op("!==", op("%", year, .integer(100)), .integer(0)), op("===", op("%", year, .integer(400)), .integer(0))]),
        ])
    }

    /// The number of days in `month` of `year`.
    static func daysInMonth(year: JSONValue, month: JSONValue) -> JSONValue {
        op("if",
           op("===", month, .integer(2)), op("if", isLeapYear(year), .integer(29), .integer(28)),
           op("in", month, .array([.integer(4), .integer(6), .integer(9), .integer(11)])), .integer(30),
           .integer(31))
    }

    /// Days since 1970-01-01 of a valid date (years 0000…9999): 365 a year, the leap days of the years before
    /// (`⌊(y−1)/4⌋ − ⌊(y−1)/100⌋ + ⌊(y−1)/400⌋ + 1`, counting year 0), the days before the month, the leap day of
    /// this year once past February, and the day. The divisions are done on `y + 399` (never negative) and
    /// corrected by the constant: `⌊(y−1)/k⌋ = ⌊(y+399)/k⌋ − 400/k`.
    static func daysSinceEpoch(year: JSONValue, month: JSONValue, day: JSONValue) -> JSONValue {
        let shiftedYear = op("+", year, .integer(399))
        let daysBefore = op("+", op("substr", .string(daysBeforeMonth), op("*", op("-", month, .integer(1)), .integer(3)), .integer(3)))
        return op("+", arguments: [
            op("*", year, .integer(365)),
            floorDivision(shiftedYear, 4),
            op("*", floorDivision(shiftedYear, 100), .integer(-1)),
            floorDivision(shiftedYear, 400),
            .integer(-100 + 4 - 1 + 1 - daysToUnixEpoch),
            daysBefore,
            op("if", and([op(">", month, .integer(2)), isLeapYear(year)]), .integer(1), .integer(0)),
            day,
            .integer(-1),
        ])
    }

    /// The index after which `fullVersionForm` stops looking for the second dot: a `v` and two numbers of at most
    /// 20 digits (flagc's numbers are 64-bit) put it at index 42 at the latest.
    static let lastSecondDotIndex: Int64 = 42

    /// Holds when the text before the first `-` or `+` has at least two dots within its first
    /// `lastSecondDotIndex + 1` characters: what tells `MAJOR.MINOR.PATCH` from the shortened `MAJOR` and
    /// `MAJOR.MINOR`, which flagd's `sem_ver` pads with `.0` and flagc refuses. `text` must be a string.
    static func fullVersionForm(_ text: JSONValue) -> JSONValue {
        var candidates: [JSONValue] = []
        for index in 3...lastSecondDotIndex {
            let before = op("substr", text, .integer(0), .integer(index))
            candidates.append(and([
                op("===", op("substr", text, .integer(index), .integer(1)), .string(".")),
                op("in", .string("."), before),
                not(op("in", .string("-"), before)),
                not(op("in", .string("+"), before)),
            ]))
        }
        return or(candidates)
    }
}
