import Crypto

/// A Lua script run with EVALSHA; its SHA-1 is computed once, here.
public struct RedisScript: Sendable {
    /// A short name for logs and metrics.
    public let name: String
    public let source: String
    public let sha1: String
    /// Whether every run of the script gets the caller's deadline as its last argument: the
    /// server's time (milliseconds since 1970, by its own clock, as `TIME` reads it) after
    /// which the caller no longer waits for the reply. Redis runs a command when it reads it,
    /// and one sent to a server that was frozen (or too busy) runs when the server comes back,
    /// long after its caller failed with ``RedisError/timeout``; a script that changes data
    /// compares the deadline with `TIME` first and changes nothing when it starts after it, so
    /// that a call that failed has changed nothing. The deadline falls
    /// ``RedisClient/Configuration/scriptDeadlineMargin`` before the call's command timeout,
    /// time for the reply of a script that started in time to reach its caller.
    public let takesDeadline: Bool

    public init(name: String, source: String, takesDeadline: Bool = false) {
        self.name = name
        self.source = source
        self.takesDeadline = takesDeadline
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8))
            .map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }
            .joined()
    }
}
