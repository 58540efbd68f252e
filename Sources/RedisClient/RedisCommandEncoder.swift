import CHiredis
import NIOCore

/// Formats commands as RESP with hiredis' `redisFormatCommandArgv`.
///
/// Each formatted command is copied into a `ByteBuffer` and hiredis' allocation is freed at
/// once, so nothing from C outlives the call. Arguments are binary safe. The argument vector
/// hiredis reads is laid out on the stack: formatting a command allocates only hiredis' own
/// output.
enum RedisCommandEncoder {
    /// One command in a buffer of its own.
    static func encode(_ arguments: [String], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: self.estimatedSize(of: arguments))
        self.write(arguments, into: &buffer)
        return buffer
    }

    /// Several commands back to back in one buffer: a pipeline is one write.
    static func encode(pipeline commands: [[String]], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: commands.reduce(0) { $0 + self.estimatedSize(of: $1) })
        for arguments in commands { self.write(arguments, into: &buffer) }
        return buffer
    }

    /// Appends one command to `buffer`.
    static func write(_ arguments: [String], into buffer: inout ByteBuffer) {
        let byteCount = arguments.reduce(1) { $0 + $1.utf8.count }  // 1: never empty
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount) { storage in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: arguments.count) { argv in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: arguments.count) { lengths in
                    var offset = 0
                    for (index, argument) in arguments.enumerated() {
                        let start = storage.baseAddress! + offset
                        let length = UnsafeMutableBufferPointer(start: start, count: byteCount - offset)
                            .initialize(fromContentsOf: argument.utf8)
                        argv.initializeElement(
                            at: index,
                            to: UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
                        )
                        lengths.initializeElement(at: index, to: length)
                        offset += length
                    }
                    var target: UnsafeMutablePointer<CChar>?
                    let count = redisFormatCommandArgv(
                        &target,
                        Int32(arguments.count),
                        argv.baseAddress,
                        lengths.baseAddress
                    )
                    defer { redisFreeCommand(target) }
                    guard count > 0, let target else {
                        fatalError("hiredis could not format a command (out of memory)")
                    }
                    buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(count)))
                }
            }
        }
    }

    /// At least the size of the command's RESP form for the arguments of a cart request (keys,
    /// ids and small numbers), so the buffer is allocated once.
    private static func estimatedSize(of arguments: [String]) -> Int {
        arguments.reduce(16) { $0 + $1.utf8.count + 16 }
    }
}
