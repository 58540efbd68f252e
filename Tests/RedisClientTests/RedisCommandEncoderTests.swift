import NIOCore
import Testing

@testable import RedisClient

@Suite struct RedisCommandEncoderTests {
    @Test func encodesArgumentsAsARESPArrayOfBulkStrings() {
        let bytes = RedisCommandEncoder.encode(["SET", "key", "value"])
        #expect(String(buffer: bytes) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
    }

    @Test func emptyAndMultiByteArgumentsKeepTheirByteLength() {
        let bytes = RedisCommandEncoder.encode(["ECHO", "", "café"])
        #expect(String(buffer: bytes) == "*3\r\n$4\r\nECHO\r\n$0\r\n\r\n$5\r\ncafé\r\n")
    }

    @Test func aPipelineIsItsCommandsBackToBackInOneBuffer() {
        let bytes = RedisCommandEncoder.encode(pipeline: [["PING"], ["GET", "k"]], allocator: ByteBufferAllocator())
        #expect(String(buffer: bytes) == "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
    }

    @Test func anArgumentLargerThanTheEstimateIsWrittenWhole() {
        let value = String(repeating: "x", count: 100_000)
        let bytes = RedisCommandEncoder.encode(["SET", "k", value])
        #expect(String(buffer: bytes) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n\(value)\r\n")
    }

    @Test func scriptSHA1MatchesWhatRedisComputes() {
        // `redis-cli SCRIPT LOAD "return 1"` answers this digest.
        #expect(RedisScript(name: "one", source: "return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
