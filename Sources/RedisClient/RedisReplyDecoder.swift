import NIOCore

/// Decodes a byte stream from Redis into replies with hiredis' reader.
///
/// Bytes are handed to hiredis as they arrive (hiredis keeps a partial reply itself), and one
/// complete reply is returned per `decode` call, in the order Redis sent them.
struct RedisReplyDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = RedisValue

    private let reader = HiredisReader()

    mutating func decode(buffer: inout ByteBuffer) throws -> RedisValue? {
        if let reply = try self.reader.nextReply() { return reply }
        guard buffer.readableBytes > 0 else { return nil }
        try self.reader.feed(buffer)
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return try self.reader.nextReply()
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RedisValue? {
        try self.decode(buffer: &buffer)
    }
}
