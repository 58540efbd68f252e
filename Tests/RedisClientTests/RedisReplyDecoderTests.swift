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

    @Test func aReplyThatArrivesInPiecesLeavesNoByteBehind() throws {
        // hiredis parses the elements of an array that are already in before the rest arrives;
        // the buffer must still give up every byte of the reply once it is complete (a decoder
        // that counted only the last piece kept the rest, and the buffer grew with every such
        // reply).
        let wire = "*3\r\n$5\r\nfirst\r\n$6\r\nsecond\r\n$5\r\nthird\r\n+next\r\n"
        for split in 1..<wire.utf8.count {
            var decoder = RedisReplyDecoder()
            var buffer = ByteBuffer(string: String(wire.prefix(split)))
            var replies: [RedisValue] = []
            while let reply = try decoder.decode(buffer: &buffer) { replies.append(reply) }
            buffer.writeString(String(wire.dropFirst(split)))
            while let reply = try decoder.decode(buffer: &buffer) { replies.append(reply) }
            #expect(
                replies == [
                    .array([.bulkString("first"), .bulkString("second"), .bulkString("third")]),
                    .simpleString("next"),
                ],
                "split at \(split)"
            )
            #expect(buffer.readableBytes == 0, "split at \(split)")
        }
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
