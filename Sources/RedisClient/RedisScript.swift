import Crypto

/// A Lua script run with EVALSHA; its SHA-1 is computed once, here.
public struct RedisScript: Sendable {
    /// A short name for logs and metrics.
    public let name: String
    public let source: String
    public let sha1: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8))
            .map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }
            .joined()
    }
}
