/// Where a Redis server listens, parsed from a `redis://host:port/db` URL.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int

    public init(host: String, port: Int = 6379, database: Int = 0) {
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses `redis://host[:port][/db]`; `nil` for anything else.
    public init?(url: String) {
        guard url.hasPrefix("redis://") else { return nil }
        var rest = url.dropFirst("redis://".count)
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
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
        guard !rest.isEmpty else { return nil }
        self.init(host: String(rest), port: port, database: database)
    }

    /// Parses a comma-separated list of `redis://host[:port][/db]` URLs (the seed nodes of a
    /// cluster, or one server); `nil` when any of them is not one.
    public static func seeds(url: String) -> [RedisEndpoint]? {
        let endpoints = url.split(separator: ",").map { RedisEndpoint(url: String($0.filter { !$0.isWhitespace })) }
        guard !endpoints.isEmpty, endpoints.allSatisfy({ $0 != nil }) else { return nil }
        return endpoints.compactMap { $0 }
    }

    public var description: String { "redis://\(self.host):\(self.port)/\(self.database)" }
}
