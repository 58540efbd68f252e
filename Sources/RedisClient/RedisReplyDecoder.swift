import NIOCore

/// Decodes a byte stream from Redis into replies with hiredis' reader.
///
/// The input buffer keeps every byte until hiredis has parsed the complete reply it belongs
/// to: each byte is handed to hiredis once, and the buffer's reader index moves by exactly
/// the length of each reply returned, so the decoder works with any chunking of the input.
struct RedisReplyDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = RedisValue

    private let reader = HiredisReader()
    /// Readable bytes of the buffer already handed to hiredis.
    private var fedByteCount = 0

    mutating func decode(buffer: inout ByteBuffer) throws -> RedisValue? {
        let unfed = buffer.readableBytes - self.fedByteCount
        if unfed > 0, let fresh = buffer.getSlice(at: buffer.readerIndex + self.fedByteCount, length: unfed) {
            try self.reader.feed(fresh)
            self.fedByteCount += unfed
        }
        let pendingBefore = self.reader.pendingByteCount
        guard let reply = try self.reader.nextReply() else { return nil }
        let consumed = pendingBefore - self.reader.pendingByteCount
        buffer.moveReaderIndex(forwardBy: consumed)
        self.fedByteCount -= consumed
        return reply
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RedisValue? {
        try self.decode(buffer: &buffer)
    }
}
