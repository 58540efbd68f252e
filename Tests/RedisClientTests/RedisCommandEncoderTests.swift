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

    @Test func scriptSHA1MatchesWhatRedisComputes() {
        // `redis-cli SCRIPT LOAD "return 1"` answers this digest.
        #expect(RedisScript(name: "one", source: "return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
