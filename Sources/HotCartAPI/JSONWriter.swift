import CartDomain
import HTTPTypes
import Hummingbird
import NIOCore

/// Writes JSON into memory of its own, for the responses on the hot path (a cart answer is
/// written on every cart request; `JSONEncoder` costs several times more).
///
/// Each value makes room for its longest form once and then stores its bytes, so a cart
/// answer pays no per-byte capacity or uniqueness checks; the writer is not copyable, so its
/// memory has exactly one owner and is freed once.
///
/// Commas are placed by the writer: call `key` inside objects and the value methods in order.
struct JSONWriter: ~Copyable {
    /// The bytes written: `count` of them at `start`, in room for `capacity`.
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// Whether the container being written still has no element (no comma before the next).
    private var empty = true

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 32)
        self.start = .allocate(capacity: self.capacity)
    }

    deinit {
        self.start.deallocate()
    }

    /// What was written, as one buffer.
    var buffer: ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: self.count)
        buffer.writeBytes(UnsafeRawBufferPointer(start: self.start, count: self.count))
        return buffer
    }

    mutating func beginObject() {
        self.reserve(2)
        self.separate()
        self.put(UInt8(ascii: "{"))
        self.empty = true
    }

    mutating func endObject() {
        self.reserve(1)
        self.put(UInt8(ascii: "}"))
        self.empty = false
    }

    mutating func beginArray() {
        self.reserve(2)
        self.separate()
        self.put(UInt8(ascii: "["))
        self.empty = true
    }

    mutating func endArray() {
        self.reserve(1)
        self.put(UInt8(ascii: "]"))
        self.empty = false
    }

    /// An object key; keys are plain ASCII names, written without escaping.
    mutating func key(_ name: StaticString) {
        self.reserve(name.utf8CodeUnitCount + 4)
        self.separate()
        self.put(UInt8(ascii: "\""))
        name.withUTF8Buffer { self.put($0) }
        self.put(UInt8(ascii: "\""))
        self.put(UInt8(ascii: ":"))
        self.empty = true
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            if utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                // `\u00XX`, six bytes, is the longest a byte becomes.
                self.reserve(utf8.count * 6 + 3)
                self.separate()
                self.put(UInt8(ascii: "\""))
                self.putEscaped(utf8)
            } else {
                self.reserve(utf8.count + 3)
                self.separate()
                self.put(UInt8(ascii: "\""))
                self.put(utf8)
            }
        }
        self.put(UInt8(ascii: "\""))
        self.empty = false
    }

    private mutating func putEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                self.put(UInt8(ascii: "\\"))
                self.put(byte)
            case UInt8(ascii: "\n"):
                self.put(UInt8(ascii: "\\"))
                self.put(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"):
                self.put(UInt8(ascii: "\\"))
                self.put(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"):
                self.put(UInt8(ascii: "\\"))
                self.put(UInt8(ascii: "t"))
            case 0..<0x20:
                for character in "\\u00".utf8 { self.put(character) }
                self.put(Self.hexDigit(byte >> 4))
                self.put(Self.hexDigit(byte & 0xF))
            default:
                self.put(byte)
            }
        }
    }

    mutating func string(_ value: String?) {
        if let value { self.string(value) } else { self.null() }
    }

    /// A cart line's id as a JSON string of its lowercase UUID text.
    mutating func uuid(_ id: CartItemID) {
        self.reserve(39)
        self.separate()
        self.put(UInt8(ascii: "\""))
        id.withText { self.put($0) }
        self.put(UInt8(ascii: "\""))
        self.empty = false
    }

    mutating func uuid(_ id: CartItemID?) {
        if let id { self.uuid(id) } else { self.null() }
    }

    mutating func integer(_ value: some BinaryInteger) {
        let value = Int64(value)
        self.reserve(21)
        self.separate()
        if value < 0 { self.put(UInt8(ascii: "-")) }
        self.putDigits(value.magnitude)
        self.empty = false
    }

    /// Money as a JSON number in major units with at most two decimals (`59.97`, `12.5`, `20`).
    mutating func money(_ amount: Cents) {
        self.money(minor: amount.value, minorUnits: 2)
    }

    /// An amount of `minorUnits` decimals (`minor` in the smallest unit), as a JSON number
    /// without trailing zeros: 3028 yen (0 decimals), 6.14 dinars from 6140 fils (3 decimals).
    mutating func money(minor: Int64, minorUnits: Int) {
        self.reserve(22 + minorUnits)
        self.separate()
        if minor < 0 { self.put(UInt8(ascii: "-")) }
        var scale: UInt64 = 1
        for _ in 0..<minorUnits { scale *= 10 }
        self.putDigits(minor.magnitude / scale)
        var fraction = minor.magnitude % scale
        if fraction != 0 {
            self.put(UInt8(ascii: "."))
            var digits = minorUnits
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            self.put(fraction, width: digits)
        }
        self.empty = false
    }

    /// A value that is already JSON (PostgreSQL's `jsonb` text), written as it is.
    mutating func json(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            self.reserve(utf8.count + 1)
            self.separate()
            self.put(utf8)
        }
        self.empty = false
    }

    mutating func null() {
        self.literal("null")
    }

    mutating func bool(_ value: Bool) {
        self.literal(value ? "true" : "false")
    }

    /// An ISO-8601 UTC timestamp (`2026-11-25T15:20:01.123Z`) from milliseconds since 1970.
    mutating func timestamp(milliseconds: Int64) {
        let parts = Timestamp.Parts(milliseconds: milliseconds)
        // A sign and 19 digits of year at most, then `-MM-DDTHH:MM:SS.mmmZ` and the quotes.
        self.reserve(44)
        self.separate()
        self.put(UInt8(ascii: "\""))
        if (0...9999).contains(parts.year) {
            self.put(UInt64(parts.year), width: 4)
        } else {
            if parts.year < 0 { self.put(UInt8(ascii: "-")) }
            self.putDigits(UInt64(parts.year.magnitude))
        }
        self.put(UInt8(ascii: "-"))
        self.put(UInt64(parts.month), width: 2)
        self.put(UInt8(ascii: "-"))
        self.put(UInt64(parts.day), width: 2)
        self.put(UInt8(ascii: "T"))
        self.put(UInt64(parts.hour), width: 2)
        self.put(UInt8(ascii: ":"))
        self.put(UInt64(parts.minute), width: 2)
        self.put(UInt8(ascii: ":"))
        self.put(UInt64(parts.second), width: 2)
        self.put(UInt8(ascii: "."))
        self.put(UInt64(parts.millisecond), width: 3)
        self.put(UInt8(ascii: "Z"))
        self.put(UInt8(ascii: "\""))
        self.empty = false
    }

    mutating func timestamp(milliseconds: Int64?) {
        if let milliseconds { self.timestamp(milliseconds: milliseconds) } else { self.null() }
    }

    private mutating func literal(_ text: StaticString) {
        self.reserve(text.utf8CodeUnitCount + 1)
        self.separate()
        text.withUTF8Buffer { self.put($0) }
        self.empty = false
    }

    /// A comma before the container's next element, unless it is the first.
    @inline(__always)
    private mutating func separate() {
        if !self.empty { self.put(UInt8(ascii: ",")) }
    }

    /// Makes room for `extra` more bytes; every `put` below writes into room made by one.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if self.count + extra > self.capacity { self.grow(toHold: self.count + extra) }
    }

    private mutating func grow(toHold needed: Int) {
        let capacity = max(self.capacity * 2, needed)
        let start = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        start.initialize(from: self.start, count: self.count)
        self.start.deallocate()
        self.start = start
        self.capacity = capacity
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        self.start[self.count] = byte
        self.count += 1
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        (self.start + self.count).initialize(from: base, count: bytes.count)
        self.count += bytes.count
    }

    /// `value` in decimal, without leading zeros.
    private mutating func putDigits(_ value: UInt64) {
        var width = 1
        var rest = value / 10
        while rest > 0 {
            width += 1
            rest /= 10
        }
        self.put(value, width: width)
    }

    /// `value` (below 10^`width`) as exactly `width` digits, zero-padded.
    private mutating func put(_ value: UInt64, width: Int) {
        var value = value
        var index = self.count + width
        self.count = index
        while index > self.count - width {
            index -= 1
            self.start[index] = UInt8(ascii: "0") + UInt8(value % 10)
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

    private static let contentType = HTTPField(name: .contentType, value: "application/json")

    /// The written JSON as a response: `Content-Type: application/json`, its `Content-Length`,
    /// the `ETag` `entityTag` if any, then `headers`.
    func response(status: HTTPResponse.Status = .ok, entityTag: String? = nil, headers: HTTPFields = [:]) -> Response {
        var fields = HTTPFields()
        fields.reserveCapacity(Self.headerCapacity + headers.count)
        fields.append(Self.contentType)
        fields.append(HTTPField(name: .contentLength, value: String(self.count)))
        if let entityTag { fields.append(HTTPField(name: .eTag, value: entityTag)) }
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: self.buffer))
    }
}
