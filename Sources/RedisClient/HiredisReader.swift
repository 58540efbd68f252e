import CHiredis
import NIOCore

/// Owns one hiredis `redisReader` and turns fed bytes into ``RedisValue``s.
///
/// hiredis parses; its reply-object callbacks hand each parsed element straight to a
/// ``ReplyBuilder``, so no `redisReply` is ever allocated (hiredis' default objects cost two
/// allocations per element, about 60 for one cart). The reader is freed in `deinit`, once.
/// Not thread-safe: one reader belongs to one channel.
final class HiredisReader {
    private let reader: UnsafeMutablePointer<redisReader>
    private let builder = ReplyBuilder()

    init() {
        guard let reader = redisReaderCreateWithFunctions(hiredisReplyFunctions) else {
            fatalError("hiredis could not allocate a reader (out of memory)")
        }
        reader.pointee.privdata = Unmanaged.passUnretained(self.builder).toOpaque()
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
        var token: UnsafeMutableRawPointer?
        guard redisReaderGetReply(self.reader, &token) == REDIS_OK else {
            self.builder.reset()
            throw self.readerError()
        }
        guard token != nil else { return nil }
        return self.builder.takeReply()
    }

    private func readerError() -> RedisError {
        let message = withUnsafeBytes(of: self.reader.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return .protocolError(message)
    }
}

/// Builds ``RedisValue``s from hiredis' callbacks, which come depth first: an array is
/// announced with its element count before its elements.
final class ReplyBuilder {
    /// The arrays still being filled, innermost last, with how many elements each still lacks.
    private var open: [(elements: [RedisValue], missing: Int)] = []
    private var reply: RedisValue?

    /// Adds a complete value: an element of the innermost open array, or the whole reply.
    func add(_ value: RedisValue) {
        var value = value
        while !self.open.isEmpty {
            let last = self.open.count - 1
            self.open[last].elements.append(value)
            self.open[last].missing -= 1
            guard self.open[last].missing == 0 else { return }
            value = .array(self.open.removeLast().elements)
        }
        self.reply = value
    }

    /// Opens an array of `count` elements (an empty one is complete at once).
    func beginArray(count: Int) {
        guard count > 0 else { return self.add(.array([])) }
        var elements: [RedisValue] = []
        elements.reserveCapacity(count)
        self.open.append((elements, count))
    }

    /// The reply completed last, handed over once.
    func takeReply() -> RedisValue? {
        defer { self.reply = nil }
        return self.reply
    }

    /// Drops a reply left half built by a protocol error.
    func reset() {
        self.open.removeAll()
        self.reply = nil
    }

    /// The builder of the reader a hiredis task belongs to.
    fileprivate static func of(_ task: UnsafePointer<redisReadTask>?) -> ReplyBuilder {
        Unmanaged<ReplyBuilder>.fromOpaque(task!.pointee.privdata).takeUnretainedValue()
    }

    /// What the callbacks give hiredis as each element's object: any non-null pointer (null
    /// would mean out of memory); the values themselves live in the builder.
    fileprivate static func token(_ task: UnsafePointer<redisReadTask>?) -> UnsafeMutableRawPointer? {
        task!.pointee.privdata
    }
}

/// hiredis' reply-object callbacks, feeding the reader's ``ReplyBuilder``; never changed after
/// they are made, and only read by hiredis.
private nonisolated(unsafe) let hiredisReplyFunctions: UnsafeMutablePointer<redisReplyObjectFunctions> = {
    let functions = UnsafeMutablePointer<redisReplyObjectFunctions>.allocate(capacity: 1)
    functions.initialize(
        to: redisReplyObjectFunctions(
            createString: { task, bytes, count in
                let text = bytes.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: count), as: UTF8.self)
                }
                let builder = ReplyBuilder.of(task)
                switch task!.pointee.type {
                case REDIS_REPLY_STATUS: builder.add(.simpleString(text ?? ""))
                case REDIS_REPLY_ERROR: builder.add(.error(text ?? ""))
                default: builder.add(.bulkString(text ?? ""))
                }
                return ReplyBuilder.token(task)
            },
            createArray: { task, count in
                ReplyBuilder.of(task).beginArray(count: Int(count))
                return ReplyBuilder.token(task)
            },
            createInteger: { task, value in
                ReplyBuilder.of(task).add(.integer(Int64(value)))
                return ReplyBuilder.token(task)
            },
            createNil: { task in
                ReplyBuilder.of(task).add(.null)
                return ReplyBuilder.token(task)
            },
            freeObject: { _ in }
        )
    )
    return functions
}()
