import CartDomain
import NIOCore

/// Writes JSON straight into a `ByteBuffer`, for the responses on the hot path (a cart answer
/// is written on every cart request; `JSONEncoder` costs several times more).
///
/// Commas are placed by the writer: call `key` inside objects and the value methods in order.
struct JSONWriter {
    private(set) var buffer: ByteBuffer
    /// Whether the container being written still has no element (no comma before the next).
    private var empty = true

    init(capacity: Int = 1024) {
        self.buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func beginObject() {
        self.separate()
        self.buffer.writeInteger(UInt8(ascii: "{"))
        self.empty = true
    }

    mutating func endObject() {
        self.buffer.writeInteger(UInt8(ascii: "}"))
        self.empty = false
    }

    mutating func beginArray() {
        self.separate()
        self.buffer.writeInteger(UInt8(ascii: "["))
        self.empty = true
    }

    mutating func endArray() {
        self.buffer.writeInteger(UInt8(ascii: "]"))
        self.empty = false
    }

    /// An object key; keys are plain ASCII names, written without escaping.
    mutating func key(_ name: StaticString) {
        self.separate()
        self.buffer.writeInteger(UInt8(ascii: "\""))
        self.buffer.writeStaticString(name)
        self.buffer.writeStaticString("\":")
        self.empty = true
    }

    mutating func string(_ value: String) {
        self.separate()
        self.buffer.writeInteger(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): self.buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): self.buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\n"): self.buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): self.buffer.writeStaticString("\\r")
            case UInt8(ascii: "\t"): self.buffer.writeStaticString("\\t")
            case 0..<0x20:
                self.buffer.writeStaticString("\\u00")
                self.buffer.writeInteger(Self.hexDigit(byte >> 4))
                self.buffer.writeInteger(Self.hexDigit(byte & 0xF))
            default: self.buffer.writeInteger(byte)
            }
        }
        self.buffer.writeInteger(UInt8(ascii: "\""))
        self.empty = false
    }

    mutating func string(_ value: String?) {
        if let value { self.string(value) } else { self.null() }
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
            self.buffer.writeInteger(UInt8(ascii: "-"))
            cents = -cents
        }
        self.writeDigits(cents / 100)
        let fraction = cents % 100
        if fraction != 0 {
            self.buffer.writeInteger(UInt8(ascii: "."))
            self.buffer.writeInteger(UInt8(ascii: "0") + UInt8(fraction / 10))
            if fraction % 10 != 0 { self.buffer.writeInteger(UInt8(ascii: "0") + UInt8(fraction % 10)) }
        }
        self.empty = false
    }

    mutating func bool(_ value: Bool) {
        self.separate()
        self.buffer.writeStaticString(value ? "true" : "false")
        self.empty = false
    }

    mutating func null() {
        self.separate()
        self.buffer.writeStaticString("null")
        self.empty = false
    }

    /// An ISO-8601 UTC timestamp (`2026-11-25T15:20:01.123Z`) from milliseconds since 1970.
    mutating func timestamp(milliseconds: Int64) {
        self.separate()
        let parts = Timestamp.Parts(milliseconds: milliseconds)
        self.buffer.writeInteger(UInt8(ascii: "\""))
        self.writePadded(parts.year, width: 4)
        self.buffer.writeInteger(UInt8(ascii: "-"))
        self.writePadded(parts.month, width: 2)
        self.buffer.writeInteger(UInt8(ascii: "-"))
        self.writePadded(parts.day, width: 2)
        self.buffer.writeInteger(UInt8(ascii: "T"))
        self.writePadded(parts.hour, width: 2)
        self.buffer.writeInteger(UInt8(ascii: ":"))
        self.writePadded(parts.minute, width: 2)
        self.buffer.writeInteger(UInt8(ascii: ":"))
        self.writePadded(parts.second, width: 2)
        self.buffer.writeInteger(UInt8(ascii: "."))
        self.writePadded(parts.millisecond, width: 3)
        self.buffer.writeStaticString("Z\"")
        self.empty = false
    }

    mutating func timestamp(milliseconds: Int64?) {
        if let milliseconds { self.timestamp(milliseconds: milliseconds) } else { self.null() }
    }

    private mutating func separate() {
        if !self.empty { self.buffer.writeInteger(UInt8(ascii: ",")) }
    }

    private mutating func writeDigits(_ value: Int64) {
        if value < 0 {
            self.buffer.writeInteger(UInt8(ascii: "-"))
            self.writeDigits(-value)
            return
        }
        if value >= 10 { self.writeDigits(value / 10) }
        self.buffer.writeInteger(UInt8(ascii: "0") + UInt8(value % 10))
    }

    private mutating func writePadded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 1 && value < divisor {
            self.buffer.writeInteger(UInt8(ascii: "0"))
            divisor /= 10
        }
        self.writeDigits(Int64(value))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
