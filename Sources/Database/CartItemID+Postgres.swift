import CartDomain
import PostgresNIO

/// Cart line ids read straight from PostgreSQL's `uuid` columns (16 bytes in the binary
/// format results come in), without Foundation's `UUID` in between.
extension CartItemID: PostgresDecodable {
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        switch (format, type) {
        case (.binary, .uuid):
            guard buffer.readableBytes == 16 else { throw PostgresDecodingError.Code.failure }
            self = buffer.readWithUnsafeReadableBytes {
                (16, CartItemID(bytes: UnsafeRawBufferPointer(rebasing: $0[..<16])))
            }
        case (.text, .uuid), (_, .text), (_, .varchar):
            guard let id = buffer.readString(length: buffer.readableBytes).flatMap(CartItemID.init(uuid:)) else {
                throw PostgresDecodingError.Code.failure
            }
            self = id
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
    }
}

/// Cart line ids written as PostgreSQL's binary `uuid` (and `uuid[]`): no text to format here
/// or to parse there.
extension CartItemID: PostgresNonThrowingEncodable, PostgresArrayEncodable {
    public static var psqlType: PostgresDataType { .uuid }
    public static var psqlFormat: PostgresFormat { .binary }
    public static var psqlArrayType: PostgresDataType { .uuidArray }

    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(self.high)
        byteBuffer.writeInteger(self.low)
    }
}
