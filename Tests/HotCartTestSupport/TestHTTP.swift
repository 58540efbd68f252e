import Deadline
import NIOCore
import NIOHTTP1
import NIOPosix

/// HTTP/1.1 over a fresh loopback connection per request, for tests that talk to a real server
/// process (`hotcart serve`): one-shot requests, and `GET /cart/events` read event by event.
public enum TestHTTP {
    /// A whole answer.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: String
    }

    /// Sends one request and reads its whole answer; fails after `timeout`.
    public static func send(
        _ method: HTTPMethod,
        _ path: String,
        port: Int,
        headers: [(String, String)] = [],
        body: String? = nil,
        timeout: Duration = .seconds(5)
    ) async throws -> Reply {
        try await withDeadline(timeout) {
            try await self.exchange(method, path, port: port, headers: headers, body: body, limit: timeout) { reader in
                var text = ""
                while let part = try await reader.inbound.next(isolation: #isolation) {
                    switch part {
                    case .body(let bytes): text += String(buffer: bytes)
                    case .end: return Reply(status: reader.status, headers: reader.headers, body: text)
                    case .head: break
                    }
                }
                throw TestHTTPError.closedEarly
            }
        }
    }

    /// Opens `GET path` (an event stream) and runs `body` with the stream, then closes it; the
    /// stream is cut after `limit`, so a server that stops answering fails the test, never hangs it.
    public static func withEventStream<Result: Sendable>(
        port: Int,
        path: String = "/cart/events",
        headers: [(String, String)] = [],
        limit: Duration = .seconds(60),
        _ body: (inout EventStreamReader) async throws -> Result
    ) async throws -> Result {
        try await self.exchange(.GET, path, port: port, headers: headers, body: nil, limit: limit) { reader in
            var events = EventStreamReader(status: reader.status, headers: reader.headers, reader: reader)
            return try await body(&events)
        }
    }

    /// Opens a connection, writes `bytes` as they are (nothing, a request cut short, a malformed
    /// one) and reads until the server closes it: what it sent and how long that took, or `nil`
    /// when the connection was still open after `limit`.
    public static func raw(
        _ bytes: String,
        port: Int,
        limit: Duration
    ) async throws -> (received: String, closedAfter: Duration)? {
        let channel = try await self.connectRaw(port: port)
        let opened = ContinuousClock.now
        return try await channel.executeThenClose { inbound, outbound in
            if !bytes.isEmpty { try await outbound.write(ByteBuffer(string: bytes)) }
            do {
                return try await withDeadline(limit) {
                    var received = ""
                    do {
                        for try await part in inbound { received += String(buffer: part) }
                    } catch {}  // a reset closes it too
                    return (received, ContinuousClock.now - opened)
                }
            } catch TestHTTPError.timedOut {
                return nil
            }
        }
    }

    /// Writes a request's `head` alone and waits for the server's first bytes before writing
    /// `body`, as a client that sent `Expect: 100-continue` does; then reads until the server
    /// closes. `nil` when nothing came before the body within `limit` (the whole exchange's).
    public static func rawHeadThenBody(
        _ head: String,
        body: String,
        port: Int,
        limit: Duration
    ) async throws -> (beforeBody: String, afterBody: String)? {
        let channel = try await self.connectRaw(port: port)
        let cut = channel.channel.eventLoop.scheduleTask(in: .init(limit)) { channel.channel.close(promise: nil) }
        defer { cut.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: head))
            var iterator = inbound.makeAsyncIterator()
            guard let first = try? await iterator.next() else { return nil }
            try await outbound.write(ByteBuffer(string: body))
            var rest = ""
            do {
                while let part = try await iterator.next() { rest += String(buffer: part) }
            } catch {}  // a reset closes it too
            return (String(buffer: first), rest)
        }
    }

    private static func connectRaw(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// The response head has been read; `inbound` yields the rest.
    struct ResponseReader {
        let status: Int
        let headers: HTTPHeaders
        var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    }

    private static func exchange<Result: Sendable>(
        _ method: HTTPMethod,
        _ path: String,
        port: Int,
        headers: [(String, String)],
        body: String?,
        limit: Duration,
        _ read: (inout ResponseReader) async throws -> Result
    ) async throws -> Result {
        // 5 s: a thousand connections opened at once overflow the server's accept backlog, and
        // the kernel resends a dropped SYN after 1 s and again after 3 s.
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        let cut = channel.channel.eventLoop.scheduleTask(in: .init(limit)) { channel.channel.close(promise: nil) }
        defer { cut.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
            head.headers.add(name: "Connection", value: "close")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if let body { head.headers.add(name: "Content-Length", value: String(body.utf8.count)) }
            try await outbound.write(.head(head))
            if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body)))) }
            try await outbound.write(.end(nil))
            var iterator = inbound.makeAsyncIterator()
            guard case .head(let responseHead) = try await iterator.next() else { throw TestHTTPError.closedEarly }
            var reader = ResponseReader(
                status: Int(responseHead.status.code),
                headers: responseHead.headers,
                inbound: iterator
            )
            return try await read(&reader)
        }
    }
}

/// The events of one `text/event-stream` answer, as the server writes them.
public struct EventStreamReader {
    /// One event or comment.
    public enum Item: Sendable, Equatable {
        case event(name: String?, id: String?, data: String)
        case comment(String)
    }

    public let status: Int
    public let headers: HTTPHeaders
    private var reader: TestHTTP.ResponseReader
    private var pending = ""

    init(status: Int, headers: HTTPHeaders, reader: TestHTTP.ResponseReader) {
        self.status = status
        self.headers = headers
        self.reader = reader
    }

    /// The next event or comment; `nil` when the stream ended.
    public mutating func next() async throws -> Item? {
        while true {
            if let end = self.pending.range(of: "\n\n") {
                let block = self.pending[..<end.lowerBound]
                self.pending.removeSubrange(..<end.upperBound)
                return Self.item(block)
            }
            switch try await self.reader.inbound.next(isolation: #isolation) {
            case .body(let bytes): self.pending += String(buffer: bytes)
            case .head: break
            case .end, nil: return nil
            }
        }
    }

    /// The next event (comments skipped) within `timeout` of asking, or `nil`: the stream ended,
    /// or `timeout` passed. Relies on the server's keep-alive comments to wake up in time.
    public mutating func nextEvent(
        within timeout: Duration
    ) async throws -> (name: String?, id: String?, data: String)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, let item = try await self.next() {
            if case .event(let name, let id, let data) = item { return (name, id, data) }
        }
        return nil
    }

    private static func item(_ block: Substring) -> Item {
        var name: String?
        var id: String?
        var data: [Substring] = []
        var comments: [Substring] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                comments.append(line.dropFirst().drop { $0 == " " })
                continue
            }
            let field = line.prefix { $0 != ":" }
            var value = line.dropFirst(field.count + 1)
            if value.hasPrefix(" ") { value = value.dropFirst() }
            switch field {
            case "event": name = String(value)
            case "id": id = String(value)
            case "data": data.append(value)
            default: break
            }
        }
        if data.isEmpty && name == nil && id == nil { return .comment(comments.joined(separator: "\n")) }
        return .event(name: name, id: id, data: data.joined(separator: "\n"))
    }
}

/// Why a test request failed.
public enum TestHTTPError: Error {
    case closedEarly
    case timedOut
}

/// Runs `operation`, failing with ``TestHTTPError/timedOut`` (and cancelling it, without waiting
/// for it) after `timeout`.
public func withDeadline<Result: Sendable>(
    _ timeout: Duration,
    _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await Deadline.withDeadline(timeout, orThrow: TestHTTPError.timedOut, operation)
}
