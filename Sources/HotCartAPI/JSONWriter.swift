import CartDomain
import Hummingbird
import NIOCore

/// Writes JSON into one byte array, for the responses on the hot path (a cart answer is
/// written on every cart request; `JSONEncoder` costs several times more).
///
/// Commas are placed by the writer: call `key` inside objects and the value methods in order.
struct JSONWriter {
    private var bytes: [UInt8]
    /// Whether the container being written still has no element (no comma before the next).
    private var empty = true

    init(capacity: Int = 1024) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    /// What was written, as one buffer.
    var buffer: ByteBuffer { ByteBuffer(bytes: self.bytes) }

    mutating func beginObject() {
        self.separate()
        self.bytes.append(UInt8(ascii: "{"))
        self.empty = true
    }

    mutating func endObject() {
        self.bytes.append(UInt8(ascii: "}"))
        self.empty = false
    }

    mutating func beginArray() {
        self.separate()
        self.bytes.append(UInt8(ascii: "["))
        self.empty = true
    }

    mutating func endArray() {
        self.bytes.append(UInt8(ascii: "]"))
        self.empty = false
    }

    /// An object key; keys are plain ASCII names, written without escaping.
    mutating func key(_ name: StaticString) {
        self.separate()
        self.bytes.append(UInt8(ascii: "\""))
        self.append(name)
        self.append("\":")
        self.empty = true
    }

    mutating func string(_ value: String) {
        self.separate()
        self.bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            if utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                self.writeEscaped(utf8)
            } else {
                self.bytes.append(contentsOf: utf8)
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
        self.empty = false
    }

    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): self.append("\\\"")
            case UInt8(ascii: "\\"): self.append("\\\\")
            case UInt8(ascii: "\n"): self.append("\\n")
            case UInt8(ascii: "\r"): self.append("\\r")
            case UInt8(ascii: "\t"): self.append("\\t")
            case 0..<0x20:
                self.append("\\u00")
                self.bytes.append(Self.hexDigit(byte >> 4))
                self.bytes.append(Self.hexDigit(byte & 0xF))
            default: self.bytes.append(byte)
            }
        }
    }

    mutating func string(_ value: String?) {
        if let value { self.string(value) } else { self.null() }
    }

    /// A cart line's id as a JSON string of its lowercase UUID text, formatted on the stack.
    mutating func uuid(_ id: CartItemID) {
        self.separate()
        self.bytes.append(UInt8(ascii: "\""))
        id.withText { self.bytes.append(contentsOf: $0) }
        self.bytes.append(UInt8(ascii: "\""))
        self.empty = false
    }

    mutating func uuid(_ id: CartItemID?) {
        if let id { self.uuid(id) } else { self.null() }
    }

    mutating func integer(_ value: some BinaryInteger) {
        self.separate()
        self.writeDigits(Int64(value))
        self.empty = false
    }

    /// Money as a JSON number in major units with at most two decimals (`59.97`, `12.5`, `20`).
    mutating func money(_ amount: Cents) {
        self.separate()
        var cents = amount.value
        if cents < 0 {
            self.bytes.append(UInt8(ascii: "-"))
            cents = -cents
        }
        self.writeDigits(cents / 100)
        let fraction = cents % 100
        if fraction != 0 {
            self.bytes.append(UInt8(ascii: "."))
            self.bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10))
            if fraction % 10 != 0 { self.bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
        }
        self.empty = false
    }

    /// An amount of `minorUnits` decimals (`minor` in the smallest unit), as a JSON number
    /// without trailing zeros: 3028 yen (0 decimals), 6.14 dinars from 6140 fils (3 decimals).
    mutating func money(minor: Int64, minorUnits: Int) {
        self.separate()
        var magnitude = minor.magnitude
        if minor < 0 { self.bytes.append(UInt8(ascii: "-")) }
        var scale: UInt64 = 1
        for _ in 0..<minorUnits { scale *= 10 }
        self.writeDigits(Int64(magnitude / scale))
        magnitude %= scale
        if magnitude != 0 {
            self.bytes.append(UInt8(ascii: "."))
            var digits = minorUnits
            while magnitude % 10 == 0 {
                magnitude /= 10
                digits -= 1
            }
            let text = String(magnitude)
            self.bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits - text.utf8.count))
            self.bytes.append(contentsOf: text.utf8)
        }
        self.empty = false
    }

    /// A value that is already JSON (PostgreSQL's `jsonb` text), written as it is.
    mutating func json(_ text: String) {
        self.separate()
        self.bytes.append(contentsOf: text.utf8)
        self.empty = false
    }

    mutating func null() {
        self.separate()
        self.append("null")
        self.empty = false
    }

    mutating func bool(_ value: Bool) {
        self.separate()
        self.append(value ? "true" : "false")
        self.empty = false
    }

    /// An ISO-8601 UTC timestamp (`2026-11-25T15:20:01.123Z`) from milliseconds since 1970.
    /// The year, then the rest, are formatted on the stack and appended at once.
    mutating func timestamp(milliseconds: Int64) {
        self.separate()
        let parts = Timestamp.Parts(milliseconds: milliseconds)
        self.bytes.append(UInt8(ascii: "\""))
        if (0...9999).contains(parts.year) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4) { text in
                Self.put(parts.year, into: text, at: 0, width: 4)
                self.bytes.append(contentsOf: text)
            }
        } else {
            self.writeDigits(Int64(parts.year))
        }
        // `-MM-DDTHH:MM:SS.mmmZ"`
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { text in
            var position = 0
            func field(_ separator: Unicode.Scalar, _ value: Int, width: Int) {
                text[position] = UInt8(ascii: separator)
                Self.put(value, into: text, at: position + 1, width: width)
                position += 1 + width
            }
            field("-", parts.month, width: 2)
            field("-", parts.day, width: 2)
            field("T", parts.hour, width: 2)
            field(":", parts.minute, width: 2)
            field(":", parts.second, width: 2)
            field(".", parts.millisecond, width: 3)
            text[position] = UInt8(ascii: "Z")
            text[position + 1] = UInt8(ascii: "\"")
            self.bytes.append(contentsOf: text)
        }
        self.empty = false
    }

    mutating func timestamp(milliseconds: Int64?) {
        if let milliseconds { self.timestamp(milliseconds: milliseconds) } else { self.null() }
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
    }

    private mutating func separate() {
        if !self.empty { self.bytes.append(UInt8(ascii: ",")) }
    }

    /// `value` in decimal, with a `-` when negative, formatted on the stack.
    private mutating func writeDigits(_ value: Int64) {
        // 19 digits and a sign at most.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { text in
            var magnitude = value.magnitude
            var start = text.count
            repeat {
                start -= 1
                text[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                text[start] = UInt8(ascii: "-")
            }
            self.bytes.append(contentsOf: UnsafeMutableBufferPointer(rebasing: text[start...]))
        }
    }

    /// `value` (non-negative, below 10^`width`) as exactly `width` digits at `offset`.
    private static func put(_ value: Int, into text: UnsafeMutableBufferPointer<UInt8>, at offset: Int, width: Int) {
        var value = value
        for index in (offset..<offset + width).reversed() {
            text[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

extension JSONWriter {
    /// Room for a JSON answer's header fields: its type, length and entity tag, then what the
    /// middlewares add (the session cookie, `Vary`, the CORS fields), so that the list is
    /// allocated once per response instead of growing field by field.
    private static let headerCapacity = 10

    /// The written JSON as a response: `Content-Type: application/json`, its `Content-Length`,
    /// the `ETag` `entityTag` if any, then `headers`.
    func response(status: HTTPResponse.Status = .ok, entityTag: String? = nil, headers: HTTPFields = [:]) -> Response {
        var fields = HTTPFields()
        fields.reserveCapacity(Self.headerCapacity + headers.count)
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(self.bytes.count)
        if let entityTag { fields[.eTag] = entityTag }
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: self.buffer))
    }
}
