import NIOCore

/// Decodes a byte stream from Redis into replies with hiredis' reader.
///
/// The input buffer keeps every byte until hiredis has parsed the complete reply it belongs
/// to: each byte is handed to hiredis once, and the buffer's reader index moves by exactly
/// the length of each reply returned, so the decoder works with any chunking of the input
/// (and the channel asks it again while bytes are left, so no parsed reply waits for more
/// input).
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
        guard let reply = try self.reader.nextReply() else { return nil }
        // hiredis parses an incomplete reply as far as it can (the elements of an array already
        // in), so it may have consumed part of this reply on earlier calls. With the reply
        // complete, what it still holds is the start of the replies after it: every other byte
        // fed belonged to this one.
        let following = self.reader.pendingByteCount
        buffer.moveReaderIndex(forwardBy: self.fedByteCount - following)
        self.fedByteCount = following
        return reply
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RedisValue? {
        try self.decode(buffer: &buffer)
    }
}
