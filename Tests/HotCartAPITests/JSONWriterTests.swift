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
}
