import Foundation
import NIOCore
import NIOPosix

/// Where a Redis server listens, and how to reach and sign in to it, parsed from a
/// `redis://[[user]:password@]host:port/db` URL, `rediss://…` for TLS, or redis-py's
/// `unix://[[user]:password@]/path/to/redis.sock?db=N` for a Unix-domain socket.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// What a connection sends as `AUTH` before anything else (Redis 6 ACL user, or the
    /// `requirepass` password alone).
    public struct Credentials: Sendable, Hashable {
        public var username: String?
        public var password: String

        public init(username: String? = nil, password: String) {
            self.username = username
            self.password = password
        }

        /// The `AUTH` command.
        var command: [String] { ["AUTH"] + (self.username.map { [$0] } ?? []) + [self.password] }
    }

    public var host: String
    public var port: Int
    public var database: Int
    public var credentials: Credentials?
    /// How the connection is encrypted; `nil` for plain TCP.
    public var tls: RedisTLS?
    /// The Unix-domain socket connections go to instead of `host` and `port`, if any.
    public var socketPath: String?
    /// The name a pooled connection gives itself (`CLIENT SETNAME`, shown by `CLIENT LIST`):
    /// redis-py's `client_name`, or the process's own.
    public var clientName: String?

    public init(
        host: String,
        port: Int = 6379,
        database: Int = 0,
        credentials: Credentials? = nil,
        tls: RedisTLS? = nil
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.credentials = credentials
        self.tls = tls
    }

    /// A server on the Unix-domain socket at `path`, without TLS.
    public init(socketPath path: String, database: Int = 0, credentials: Credentials? = nil) {
        self.init(host: "localhost", port: 6379, database: database, credentials: credentials)
        self.socketPath = path
    }

    /// Another node of the same deployment (a cluster's, named by a redirection or the slot
    /// map): the same database, credentials and TLS.
    func node(host: String, port: Int) -> RedisEndpoint {
        var node = self
        node.host = host
        node.port = port
        node.socketPath = nil
        return node
    }

    /// Parses `redis://[[user]:password@]host[:port][/db][?db=N]` (user and password
    /// percent-encoded, as in redis-py's URLs), `rediss://…` with redis-py's TLS parameters
    /// (see ``RedisTLS``), or `unix://[[user]:password@]/path[?db=N]`; `nil` for anything
    /// else, or for a parameter redis-py does not know.
    public init?(url: String) {
        var rest: Substring
        var tls: RedisTLS?
        var socket = false
        if url.hasPrefix("redis://") {
            rest = url.dropFirst("redis://".count)
        } else if url.hasPrefix("rediss://") {
            rest = url.dropFirst("rediss://".count)
            tls = RedisTLS()
        } else if url.hasPrefix("unix://") {
            rest = url.dropFirst("unix://".count)
            socket = true
        } else {
            return nil
        }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        var credentials: Credentials?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                guard let username = String(userInfo[..<colon]).removingPercentEncoding,
                    let password = String(userInfo[userInfo.index(after: colon)...]).removingPercentEncoding
                else { return nil }
                credentials = Credentials(username: username.isEmpty ? nil : username, password: password)
            }
        }
        var database = 0
        var socketPath: String?
        var clientName: String?
        if socket {
            guard rest.hasPrefix("/"), rest.count > 1, let path = String(rest).removingPercentEncoding else {
                return nil
            }
            socketPath = path
            rest = "localhost"
        } else if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else { return nil }
                database = number
            }
            rest = rest[..<slash]
        }
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            rest = rest[..<colon]
        }
        // An IPv6 address is written in brackets.
        if rest.hasPrefix("["), rest.hasSuffix("]") { rest = rest.dropFirst().dropLast() }
        guard !rest.isEmpty else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let value = String(parts[1]).removingPercentEncoding else { return nil }
            if parts[0] == "db" {
                guard let number = Int(value), number >= 0 else { return nil }
                database = number
            } else if parts[0] == "client_name" {
                // Redis refuses a name with spaces or newlines.
                guard !value.isEmpty, !value.contains(where: { $0.isWhitespace }) else { return nil }
                clientName = value
            } else if parts[0].hasPrefix("ssl_") {
                guard tls?.read(parameter: parts[0], value: value) == true else { return nil }
            } else if !Self.ignoredParameters.contains(String(parts[0])) {
                return nil
            }
        }
        // A key file without the certificate it belongs to.
        if tls?.keyPath != nil && tls?.certificatePath == nil { return nil }
        self.init(host: String(rest), port: port, database: database, credentials: credentials, tls: tls)
        self.socketPath = socketPath
        self.clientName = clientName
    }

    /// redis-py's connection options that a URL may carry and that mean nothing here (the
    /// client's own timeouts, keep-alive, pool and reply decoding apply): accepted, so that
    /// the URL a PyShop deployment configures works unchanged, and otherwise unused.
    private static let ignoredParameters: Set<String> = [
        "socket_timeout", "socket_connect_timeout", "socket_keepalive", "retry_on_timeout",
        "health_check_interval", "decode_responses", "encoding", "encoding_errors", "max_connections", "protocol",
    ]

    /// Parses a comma-separated list of `redis[s]://host[:port][/db]` URLs (the seed nodes of a
    /// cluster, or one server; or a `unix://` URL); `nil` when any of them is not one.
    public static func seeds(url: String) -> [RedisEndpoint]? {
        let endpoints = url.split(separator: ",").map { RedisEndpoint(url: String($0.filter { !$0.isWhitespace })) }
        guard !endpoints.isEmpty, endpoints.allSatisfy({ $0 != nil }) else { return nil }
        return endpoints.compactMap { $0 }
    }

    /// The URL without its credentials: safe to log.
    public var description: String {
        if let socketPath { return "unix://\(socketPath)?db=\(self.database)" }
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(self.tls == nil ? "redis" : "rediss")://\(host):\(self.port)/\(self.database)"
    }
}

extension RedisEndpoint {
    /// Connects `bootstrap` to this endpoint's socket, or its host and port, the channel made
    /// ready by `initializer` on its event loop.
    func connect<Output: Sendable>(
        with bootstrap: sending ClientBootstrap,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Output>
    ) async throws -> Output {
        if let path = self.socketPath {
            return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
        }
        return try await bootstrap.connect(host: self.host, port: self.port, channelInitializer: initializer)
    }
}
