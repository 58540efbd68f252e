/// Why a Redis call failed.
///
/// Descriptions carry no connection strings or payloads, so they are safe to log; the HTTP
/// layer maps every case to one contract error and never shows this text to a client.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case timeout
        case connectionClosed
        case unavailable
        case protocolError(String)
        case server(String)
        case unexpectedReply(String)
        case tls(String)
    }

    private let code: Code

    /// The call did not get its reply within the client's timeout.
    public static let timeout = RedisError(code: .timeout)
    /// The connection closed before the reply arrived.
    public static let connectionClosed = RedisError(code: .connectionClosed)
    /// No connection to Redis could be made (Redis down or unreachable).
    public static let unavailable = RedisError(code: .unavailable)
    /// The bytes from Redis were not valid RESP.
    public static func protocolError(_ detail: String) -> RedisError { RedisError(code: .protocolError(detail)) }
    /// Redis answered with an error reply (`-ERR …`).
    public static func server(_ message: String) -> RedisError { RedisError(code: .server(message)) }
    /// The reply had a shape the caller did not expect.
    public static func unexpectedReply(_ what: String) -> RedisError { RedisError(code: .unexpectedReply(what)) }
    /// The TLS handshake with the server failed (an untrusted certificate, or one issued to
    /// another host).
    public static func tls(_ reason: String) -> RedisError { RedisError(code: .tls(reason)) }

    /// The error reply's text, when Redis itself answered with an error.
    public var serverMessage: String? {
        if case .server(let message) = self.code { message } else { nil }
    }

    /// The error reply's code, its first word (`OOM`, `MISCONF`, `ERR`), when Redis itself
    /// answered with an error.
    public var serverErrorCode: Substring? {
        self.serverMessage.map { $0.prefix { $0 != " " } }
    }

    /// `true` when the failure means Redis could not be reached or did not answer in time,
    /// as opposed to Redis answering with an error.
    public var isConnectivityFailure: Bool {
        switch self.code {
        case .timeout, .connectionClosed, .unavailable: true
        case .protocolError, .server, .unexpectedReply, .tls: false
        }
    }

    public var description: String {
        switch self.code {
        case .timeout: "Redis did not answer in time"
        case .connectionClosed: "Redis connection closed"
        case .unavailable: "Redis is unavailable"
        case .protocolError(let detail): "Redis protocol error: \(detail)"
        case .server(let message): "Redis error reply: \(message)"
        case .unexpectedReply(let what): "unexpected Redis reply: \(what)"
        case .tls(let reason): "TLS with Redis failed: \(reason)"
        }
    }
}
