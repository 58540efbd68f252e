/// ISO-8601 UTC timestamps (`2026-11-25T15:20:01.123Z`) from milliseconds since 1970.
///
/// Hand-rolled (days-from-civil) because it runs for every line of every cart response.
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
