import CartDomain
import Foundation
import Testing

@testable import HotCartAPI

@Suite struct JSONWriterTests {
    @Test func writesValidJSONWithEscapesMoneyAndTimestamps() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("name")
        writer.string("Quote \" back\\slash\nline\u{1} café")
        writer.key("prices")
        writer.beginArray()
        for cents: Int64 in [5997, 1250, 2000, 5, 0, -250] { writer.money(Cents(cents)) }
        writer.endArray()
        writer.key("nested")
        writer.beginObject()
        writer.key("empty")
        writer.beginArray()
        writer.endArray()
        writer.key("none")
        writer.null()
        writer.endObject()
        writer.key("at")
        writer.timestamp(milliseconds: 1_795_706_401_123)
        writer.key("count")
        writer.integer(-42)
        writer.key("extremes")
        writer.beginArray()
        for value: Int64 in [.min, .max, 0, 9, 10] { writer.integer(value) }
        writer.endArray()
        writer.endObject()
        let text = String(buffer: writer.buffer)
        #expect(text.contains(#""prices":[59.97,12.5,20,0.05,0,-2.5]"#))
        #expect(text.contains(#""at":"2026-11-26T15:20:01.123Z""#))
        #expect(text.contains(#""extremes":[-9223372036854775808,9223372036854775807,0,9,10]"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "Quote \" back\\slash\nline\u{1} café")
        #expect(object["count"] as? Int == -42)
        #expect((object["nested"] as? [String: Any])?["none"] is NSNull)
    }

    @Test func growsPastItsFirstCapacityWithoutLosingAByte() throws {
        // Room for 32 bytes at first; 500 entries of every kind make it grow many times.
        var writer = JSONWriter(capacity: 1)
        writer.beginArray()
        for index in 0..<500 {
            writer.beginObject()
            writer.key("n")
            writer.integer(index)
            writer.key("s")
            writer.string(String(repeating: "\"\u{2}é", count: index % 7))
            writer.key("at")
            writer.timestamp(milliseconds: Int64(index) * 86_400_000)
            writer.endObject()
        }
        writer.endArray()
        let text = String(buffer: writer.buffer)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(entries.count == 500)
        for (index, entry) in entries.enumerated() {
            #expect(entry["n"] as? Int == index)
            #expect(entry["s"] as? String == String(repeating: "\"\u{2}é", count: index % 7))
            #expect(entry["at"] as? String == Timestamp.iso8601(milliseconds: Int64(index) * 86_400_000))
        }
    }

    @Test func writesAmountsWithTheCurrencysMinorUnitsAndNoTrailingZeros() {
        var writer = JSONWriter()
        writer.beginArray()
        let amounts: [(minor: Int64, units: Int)] = [
            (3028, 0), (-3028, 0), (6140, 3), (6005, 3), (-5, 3), (0, 3), (1000, 3), (5997, 2), (.min, 2),
        ]
        for amount in amounts { writer.money(minor: amount.minor, minorUnits: amount.units) }
        writer.endArray()
        #expect(String(buffer: writer.buffer) == "[3028,-3028,6.14,6.005,-0.005,0,1,59.97,-92233720368547758.08]")
    }

    @Test func timestampsMatchFoundationAcrossYears() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for milliseconds: Int64 in [0, 951_782_400_000, 1_709_164_800_999, 4_102_444_799_000, -86_400_000] {
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            #expect(Timestamp.iso8601(milliseconds: milliseconds) == expected)
        }
        // Past year 9999 the year takes the digits it needs.
        #expect(Timestamp.iso8601(milliseconds: 253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
        #expect(Timestamp.iso8601(milliseconds: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
    }

    @Test func readsISO8601TimesInTheProlepticGregorianCalendar() throws {
        // Every instant written reads back as itself, from year 1 to year 9999.
        let first: Int64 = -62_135_596_800_000  // 0001-01-01T00:00:00.000Z
        let last: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999Z
        for milliseconds in [first, last, 0, -1] + (0..<2000).map({ _ in Int64.random(in: first...last) }) {
            let text = Timestamp.iso8601(milliseconds: milliseconds)
            #expect(Timestamp.milliseconds(iso8601: text) == milliseconds, "\(text)")
        }
        // Before October 1582 too (Foundation's parsers read those dates as Julian).
        let day: Int64 = 86_400_000
        #expect(Timestamp.milliseconds(iso8601: "0051-07-17", allowingDate: true) == -700_703 * day)
        #expect(Timestamp.milliseconds(iso8601: "1582-10-04T00:00:00Z") == -141_438 * day)
        // From 1583 on it reads what Foundation reads.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for text in ["2026-11-27T21:05:44.026Z", "1600-02-29T12:00:00.500Z", "1969-12-31T23:59:59.999Z"] {
            let expected = formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
            #expect(Timestamp.milliseconds(iso8601: text) == expected, "\(text)")
        }
        // Offsets, fractions of any length (rounded to the millisecond), dates alone where allowed.
        let midnight = Timestamp.milliseconds(iso8601: "2026-12-01T00:00:00Z")
        #expect(midnight == 20_788 * day)
        for same in [
            "2026-12-01T01:30:00+01:30", "2026-11-30T23:00:00-01:00", "2026-12-01t01:30:00+0130",
            "2026-11-30T23:59:59.9996Z", "2026-12-01T00:00:00.0000z",
        ] {
            #expect(Timestamp.milliseconds(iso8601: same) == midnight, "\(same)")
        }
        #expect(Timestamp.milliseconds(iso8601: "2026-12-01T00:00:00.7Z") == midnight.map { $0 + 700 })
        #expect(Timestamp.milliseconds(iso8601: "2026-12-01T00:00:00.123456Z") == midnight.map { $0 + 123 })
        #expect(Timestamp.milliseconds(iso8601: "2026-12-01", allowingDate: true) == midnight)
        #expect(Timestamp.milliseconds(iso8601: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp.milliseconds(iso8601: "2026-12-01") == nil)
        for refused in [
            "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z", "2026-12-00T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T00:60:00Z",
            "2026-12-01T00:00:60Z", "2026-12-01T00:00:00", "2026-12-01T00:00:00.Z", "2026-12-01T00:00:00Zz",
            "2026-12-01T00:00:00+01", "2026-12-01T00:00:00+24:00", "2026-12-1T00:00:00Z", "2026-12-01 00:00:00Z",
            "tomorrow", "", "+2026-12-01T00:00:00Z", "２０２６-12-01T00:00:00Z",
        ] {
            #expect(Timestamp.milliseconds(iso8601: refused, allowingDate: true) == nil, "\(refused)")
        }
    }
}
