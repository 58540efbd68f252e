import CHiredis
import NIOCore

/// Formats a command as RESP with hiredis' `redisFormatCommandArgv`.
///
/// The formatted command is copied into a `ByteBuffer` and hiredis' allocation is freed at
/// once, so nothing from C outlives the call. Arguments are binary safe.
enum RedisCommandEncoder {
    static func encode(_ arguments: [String], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var storage: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            storage.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
        storage.append(0)  // never empty, so the base address is never nil
        return storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = []
            argv.reserveCapacity(lengths.count)
            var offset = 0
            for length in lengths {
                argv.append(base + offset)
                offset += length
            }
            var target: UnsafeMutablePointer<CChar>?
            let count = redisFormatCommandArgv(&target, Int32(arguments.count), &argv, lengths)
            defer { redisFreeCommand(target) }
            guard count > 0, let target else {
                fatalError("hiredis could not format a command (out of memory)")
            }
            var buffer = allocator.buffer(capacity: Int(count))
            buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(count)))
            return buffer
        }
    }
}
