import NIOCore
import NIOTestUtils
import Testing

@testable import RedisClient

@Suite struct RedisReplyDecoderTests {
    @Test func decodesEveryReplyTypeWhateverTheChunking() throws {
        try Self.verify(
            "+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n*1\r\n:7\r\n$0\r\n\r\n",
            decodesTo: [
                .simpleString("OK"), .error("ERR wrong"), .integer(42), .bulkString("hello"), .null,
                .array([.bulkString("a"), .array([.integer(7)])]), .bulkString(""),
            ]
        )
    }

    @Test func arraysOfEveryShapeWhateverTheChunking() throws {
        // Empty and nil arrays, nil and error elements, nesting three deep, and a reply after
        // them: the builder must close each array exactly when its last element arrives.
        try Self.verify(
            "*0\r\n*-1\r\n*4\r\n$-1\r\n-ERR inner\r\n*2\r\n*1\r\n*0\r\n+x\r\n:1\r\n+after\r\n",
            decodesTo: [
                .array([]), .null,
                .array([.null, .error("ERR inner"), .array([.array([.array([])]), .simpleString("x")]), .integer(1)]),
                .simpleString("after"),
            ]
        )
    }

    @Test func bulkStringsAreBinarySafeAndUTF8() throws {
        try Self.verify("$8\r\ncafé\r\nx\r\n", decodesTo: [.bulkString("café\r\nx")])
    }

    @Test func malformedBytesAreAProtocolError() {
        var decoder = RedisReplyDecoder()
        var buffer = ByteBuffer(string: "?what\r\n")
        #expect(throws: RedisError.self) { try decoder.decode(buffer: &buffer) }
        var halfArray = RedisReplyDecoder()
        var broken = ByteBuffer(string: "*3\r\n:1\r\n?what\r\n")
        #expect(throws: RedisError.self) { try halfArray.decode(buffer: &broken) }
    }

    /// Feeds `wire` whole, byte by byte and in random chunks (NIO's verifier) and expects
    /// `values`, in order, each time.
    private static func verify(_ wire: String, decodesTo values: [RedisValue]) throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [(wire, values)],
            decoderFactory: { RedisReplyDecoder() }
        )
    }
}
