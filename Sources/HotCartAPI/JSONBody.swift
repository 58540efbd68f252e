import CartDomain
import Foundation
import Hummingbird
import NIOCore

/// Reading request bodies and writing response bodies as JSON, with the contract's limits
/// and error codes.
enum JSONBody {
    /// The largest request body accepted (64 KiB); larger is 413 CART_005.
    static let maxRequestBytes = 64 * 1024

    /// `value` as JSON, its keys sorted so that the same value is always written the same way
    /// (`JSONEncoder` alone writes an object's keys in a different order on every call).
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own response types cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return ByteBuffer(bytes: data)
    }

    static func response(
        _ value: some Encodable,
        status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: encode(value)))
    }

    /// Decodes the body; malformed JSON, a wrong type or a missing field is CART_005 naming
    /// the field, a body over the limit is 413 CART_005.
    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request) async throws -> Value {
        let buffer = try await self.collect(request)
        guard !self.hasLenientForm(buffer) else { throw self.notJSON }
        do {
            return try JSONDecoder().decode(Value.self, from: buffer)
        } catch let error as DecodingError {
            throw self.cartError(for: error)
        } catch let error as CartError {
            throw error
        } catch {
            throw self.notJSON
        }
    }

    /// The answer to a body that is not JSON.
    private static var notJSON: CartError { .invalidRequest("Request body is not valid JSON") }

    /// Whether the body has a form Foundation's parser takes but JSON (RFC 8259) does not, and
    /// neither does FastAPI: a comma right before `}` or `]` (`{"quantity": 1,}`), or a number
    /// with a leading zero (`01`), a point with no digit after it (`1.`) or an empty exponent
    /// (`1e`). Strings are skipped, escapes followed.
    static func hasLenientForm(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            var inString = false
            var escaped = false
            var afterComma = false
            var index = bytes.startIndex
            while index < bytes.endIndex {
                let byte = bytes[index]
                index += 1
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
                case UInt8(ascii: "}"), UInt8(ascii: "]"): if afterComma { return true }
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let start = index - 1
                    while index < bytes.endIndex, Self.isNumberByte(bytes[index]) { index += 1 }
                    if !Self.isJSONNumber(bytes[start..<index]) { return true }
                default: break
                }
                afterComma = byte == UInt8(ascii: ",")
            }
            return false
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    /// Whether `number` is written as RFC 8259 has it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private static func isJSONNumber(_ number: Slice<UnsafeRawBufferPointer>) -> Bool {
        var reader = DigitReader(number)
        _ = reader.skip("-")
        // A zero stands alone: `01` is not a number.
        if !reader.skip("0"), reader.skipDigits() == 0 { return false }
        if reader.skip("."), reader.skipDigits() == 0 { return false }
        if reader.skip("e") || reader.skip("E") {
            _ = reader.skip("+") || reader.skip("-")
            if reader.skipDigits() == 0 { return false }
        }
        return reader.isAtEnd
    }

    /// The whole request body, whatever its type; over the limit is 413 CART_005.
    static func collect(_ request: Request) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: self.maxRequestBytes)
        } catch is NIOTooManyBytesError {
            throw CartError.bodyTooLarge
        }
    }

    private static func cartError(for error: DecodingError) -> CartError {
        func field(_ path: [any CodingKey], _ key: (any CodingKey)? = nil) -> String? {
            let keys = path + (key.map { [$0] } ?? [])
            guard !keys.isEmpty else { return nil }
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let name = field(context.codingPath, key) ?? key.stringValue
            return .invalidRequest("Field '\(name)' is required", field: name)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let name = field(context.codingPath)
            return .invalidRequest(
                name.map { "Field '\($0)' has the wrong type" } ?? "Request body has the wrong shape",
                field: name
            )
        case .dataCorrupted(let context):
            if let name = field(context.codingPath) {
                return .invalidRequest("Field '\(name)' is invalid", field: name)
            }
            return self.notJSON
        @unknown default:
            return self.notJSON
        }
    }
}

/// A JSON value that must be a whole number, decoded leniently so that a wrong value is a
/// domain error (CART_001 for quantities) rather than a decoding error.
struct WholeNumberInput: Decodable, Sendable {
    /// The number, or `nil` when the JSON value was not a whole number that an `Int` holds.
    var value: Int?
    /// The JSON value, exactly, when it was a whole number of any size (`1e3` and `2.0` are;
    /// `2.5`, `"2"` and `true` are not): an id past `Int`'s range names no product, it is not of
    /// the wrong type.
    var wholeNumber: Decimal?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self.value = number
            self.wholeNumber = Decimal(number)
        } else if var number = try? container.decode(Decimal.self) {
            var whole = Decimal()
            NSDecimalRound(&whole, &number, 0, .plain)
            guard whole == number else { return }
            self.wholeNumber = whole
            if whole.magnitude <= Decimal(Int.max) { self.value = NSDecimalNumber(decimal: whole).intValue }
        }
    }
}

/// A JSON price: a number with at most two decimals, from 0 to 99,999,999.99 (the column is
/// `numeric(10,2)`), read exactly (as a decimal, never through a float).
struct PriceInput: Decodable, Sendable {
    /// The price, or `nil` when the value is not an acceptable price.
    var cents: Cents?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let decimal = try? container.decode(Decimal.self) else {
            self.cents = nil
            return
        }
        var scaled = decimal * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, decimal >= 0, decimal < 100_000_000 else {
            self.cents = nil
            return
        }
        self.cents = Cents(NSDecimalNumber(decimal: rounded).int64Value)
    }
}
