/// ISO-8601 UTC timestamps (`2026-11-25T15:20:01.123Z`) from milliseconds since 1970, and
/// the times clients send read back into milliseconds.
///
/// Hand-rolled (days-from-civil): writing runs for every line of every cart response, and both
/// directions use the proleptic Gregorian calendar of ISO 8601 and PostgreSQL, where
/// Foundation's parsers read dates before October 1582 as Julian (`0051-07-17` came back as
/// `0051-07-15`).
enum Timestamp {
    /// The calendar fields of an instant, in UTC.
    struct Parts {
        var year, month, day, hour, minute, second, millisecond: Int

        init(milliseconds: Int64) {
            let seconds = milliseconds.floorDivided(by: 1000)
            self.millisecond = Int(milliseconds - seconds * 1000)
            let days = seconds.floorDivided(by: 86_400)
            let secondOfDay = Int(seconds - days * 86_400)
            // Howard Hinnant's civil_from_days.
            let z = days + 719_468
            let era = z.floorDivided(by: 146_097)
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let mp = (5 * dayOfYear + 2) / 153
            self.day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
            self.month = Int(mp < 10 ? mp + 3 : mp - 9)
            self.year = Int(yearOfEra + era * 400) + (self.month <= 2 ? 1 : 0)
            self.hour = secondOfDay / 3600
            self.minute = secondOfDay / 60 % 60
            self.second = secondOfDay % 60
        }
    }

    /// Milliseconds since 1970 of an RFC 3339 time (`2026-12-01T00:00:00Z`, with any fraction
    /// of a second, rounded to the millisecond, and `Z` or an offset such as `+01:00`), or, when
    /// `allowingDate`, of a date alone (`2026-12-01`, its midnight UTC); `nil` for anything else,
    /// a day its month does not have included.
    static func milliseconds(iso8601 text: String, allowingDate: Bool = false) -> Int64? {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.number(digits: 4), reader.skip("-"), let month = reader.number(digits: 2),
            reader.skip("-"), let day = reader.number(digits: 2), (1...12).contains(month),
            (1...Self.daysIn(month: month, of: year)).contains(day)
        else { return nil }
        let midnight = Self.days(year: year, month: month, day: day) * 86_400_000
        if reader.isAtEnd { return allowingDate ? midnight : nil }
        guard reader.skip("T") || reader.skip("t"), let hour = reader.number(digits: 2), reader.skip(":"),
            let minute = reader.number(digits: 2), reader.skip(":"), let second = reader.number(digits: 2),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var milliseconds = Int64((hour * 60 + minute) * 60 + second) * 1000
        if reader.skip(".") {
            guard let fraction = reader.fractionInMilliseconds() else { return nil }
            milliseconds += fraction
        }
        if reader.skip("Z") || reader.skip("z") {
            guard reader.isAtEnd else { return nil }
            return midnight + milliseconds
        }
        let sign: Int64 = reader.skip("+") ? 1 : reader.skip("-") ? -1 : 0
        guard sign != 0, let offsetHours = reader.number(digits: 2) else { return nil }
        _ = reader.skip(":")  // `+01:00`, or `+0100`
        guard let offsetMinutes = reader.number(digits: 2), reader.isAtEnd, offsetHours < 24, offsetMinutes < 60
        else { return nil }
        return midnight + milliseconds - sign * Int64(offsetHours * 60 + offsetMinutes) * 60_000
    }

    /// Days from 1970-01-01 to a date (Howard Hinnant's days_from_civil).
    private static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func iso8601(milliseconds: Int64) -> String {
        var writer = JSONWriter(capacity: 32)
        writer.timestamp(milliseconds: milliseconds)
        let quoted = String(buffer: writer.buffer)
        return String(quoted.dropFirst().dropLast())
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
