import CHiredis
import NIOCore

/// Owns one hiredis `redisReader` and turns fed bytes into ``RedisValue``s.
///
/// Every `redisReply` hiredis hands out is converted and freed before `nextReply()` returns,
/// and the reader itself is freed in `deinit`: each hiredis object is freed exactly once.
/// Not thread-safe: one reader belongs to one channel.
final class HiredisReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else {
            fatalError("hiredis could not allocate a reader (out of memory)")
        }
        self.reader = reader
    }

    deinit {
        redisReaderFree(self.reader)
    }

    /// Hands bytes to hiredis; it keeps what it has not parsed yet.
    func feed(_ buffer: ByteBuffer) throws {
        let status = buffer.withUnsafeReadableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return REDIS_OK }
            return redisReaderFeed(self.reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        if status != REDIS_OK { throw self.readerError() }
    }

    /// Bytes fed but not yet parsed into a reply.
    var pendingByteCount: Int {
        self.reader.pointee.len - self.reader.pointee.pos
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    func nextReply() throws -> RedisValue? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(self.reader, &raw) == REDIS_OK else { throw self.readerError() }
        guard let raw else { return nil }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return Self.value(of: reply)
    }

    private func readerError() -> RedisError {
        let message = withUnsafeBytes(of: self.reader.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return .protocolError(message)
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING: return .bulkString(text(node))
        case REDIS_REPLY_STATUS: return .simpleString(text(node))
        case REDIS_REPLY_ERROR: return .error(text(node))
        case REDIS_REPLY_INTEGER: return .integer(node.integer)
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let element = node.element[index] { elements.append(value(of: element)) }
            }
            return .array(elements)
        default: return .null
        }
    }

    private static func text(_ node: redisReply) -> String {
        guard let str = node.str else { return "" }
        let bytes = UnsafeRawBufferPointer(start: str, count: node.len)
        return String(decoding: bytes, as: UTF8.self)
    }
}
