import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL URL as libpq reads it, `postgres://user:password@host:port/database`, with
/// libpq's `sslmode` and `sslrootcert` parameters, turned into client configurations.
/// SQLAlchemy's `postgresql+asyncpg://…` (asyncpg's `ssl` for `sslmode`) is read the same way.
public struct DatabaseURL: Sendable {
    /// How the connection uses TLS: libpq's `sslmode`, with libpq's default `prefer`.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// libpq tries plain TCP first and TLS second; PostgresNIO cannot, so this is `prefer`.
        case allow
        /// TLS when the server offers it, without checking its certificate.
        case prefer
        /// TLS or no connection; the certificate is checked only when `sslrootcert` is given.
        case require
        /// TLS with a certificate signed by a trusted authority, whatever name it carries.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate issued to the URL's host.
        case verifyFull = "verify-full"
    }

    /// Why a URL cannot be used: one phrase that follows "DATABASE_URL ".
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The most connections each process opens to PostgreSQL.
    private static let connections = 8

    public let host: String
    public let port: Int
    public let username: String
    public let password: String?
    public let database: String?
    public let sslMode: SSLMode
    /// The certificates a server's certificate must chain to (`sslrootcert`); the system's
    /// when `nil` or `system`.
    public let rootCertificatePath: String?
    private let tlsContext: NIOSSLContext?

    /// Reads `url`; a URL that is not a PostgreSQL URL with a host, an unknown `sslmode` or a
    /// root certificate file that cannot be read is refused with the reason.
    public init(_ url: String) throws(Invalid) {
        guard
            let components = URLComponents(string: url),
            let scheme = components.scheme, Self.isPostgresScheme(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw Invalid(description: "is not a postgres:// URL")
        }
        let parameters = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") },
            uniquingKeysWith: { _, last in last }
        )
        let modeNames = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
        // asyncpg's URLs (SQLAlchemy's `postgresql+asyncpg://`) name the mode `ssl`.
        let modeName = parameters["sslmode"] ?? parameters["ssl"] ?? SSLMode.prefer.rawValue
        guard let sslMode = SSLMode(rawValue: modeName) else {
            throw Invalid(description: "has an sslmode that is not one of \(modeNames)")
        }
        let rootCertificatePath = parameters["sslrootcert"].flatMap { $0.isEmpty || $0 == "system" ? nil : $0 }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user ?? "postgres"
        self.password = components.password
        let database = String(components.path.drop { $0 == "/" })
        self.database = database.isEmpty ? nil : database
        self.sslMode = sslMode
        self.rootCertificatePath = rootCertificatePath
        do {
            self.tlsContext = try Self.tlsConfiguration(sslMode, rootCertificatePath: rootCertificatePath)
                .map { try NIOSSLContext(configuration: $0) }
        } catch {
            throw Invalid(description: "has an sslrootcert that cannot be read as PEM certificates")
        }
    }

    /// `postgres`, `postgresql`, or SQLAlchemy's `postgresql+<driver>` (`+asyncpg`, `+psycopg`,
    /// …), so that the URL a PyShop deployment configures works unchanged.
    private static func isPostgresScheme(_ scheme: String) -> Bool {
        scheme == "postgres" || scheme == "postgresql" || (scheme.hasPrefix("postgresql+") && scheme.count > 11)
    }

    /// The pool's configuration: up to 8 connections, TLS as `sslmode` says.
    public var client: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: clientTLS
        )
        configuration.options.connectTimeout = .seconds(2)
        // Up to 8 connections, each closed after 5 s unused, without keep-alive queries. The
        // pool's default (up to 20 connections, each idle one with a 30 s keep-alive and a 60 s
        // idle timer) armed two timers per query, and a cancelled `Task.sleep` holds its task and
        // timer until its deadline: under the shopper mix (a quarter of it catalog reads) `serve`
        // held some 100,000 and grew by tens of megabytes. A 5 s idle timer bounds them to five
        // seconds' worth. No minimum: with one, the pool's state machine can trap (a
        // `precondition` in `createNewDemandConnectionIfPossible`) when a query asks for a
        // connection while PostgreSQL restarts and its connections are closing. The caches'
        // reloads, every 500 ms, keep a connection open between requests.
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = Self.connections
        configuration.options.connectionIdleTimeout = .seconds(5)
        configuration.options.keepAliveBehavior = nil
        // No JIT compilation: PostgreSQL compiles a statement whose estimated cost passes
        // `jit_above_cost`, and an analytics statement over a table of millions of rows that
        // reads a week of it through a block-range index is estimated past it while it runs in
        // 5 ms; compiling it took 0.85 s of its 1.1 s (`EXPLAIN ANALYZE`). HotCart runs short
        // statements only.
        configuration.options.additionalStartupParameters = [("jit", "off")]
        return configuration
    }

    /// One connection's configuration (for a command's first check that the server answers),
    /// TLS as `sslmode` says.
    public func connection(connectTimeout: Duration) -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: connectionTLS
        )
        configuration.options.connectTimeout = .init(connectTimeout)
        return configuration
    }

    /// What went wrong when `error` is a connection this URL's TLS settings stopped: the server
    /// offers no TLS where `sslmode` requires it, or the handshake failed (a certificate the
    /// trusted authorities did not sign, or issued to another host).
    public func tlsRefusal(_ error: PSQLError) -> String? {
        if error.code == .sslUnsupported { return "offers no TLS, which sslmode=\(sslMode.rawValue) requires" }
        guard error.underlying is NIOSSLError else { return nil }
        return "failed the TLS handshake under sslmode=\(sslMode.rawValue) (is its certificate trusted by sslrootcert?)"
    }

    /// The TLS settings `mode` asks for, or `nil` for none. libpq checks nothing of the
    /// certificate under `prefer` and `require` unless `sslrootcert` is given, which makes
    /// `require` `verify-ca`; `verify-ca` and `verify-full` trust the system's authorities
    /// unless `sslrootcert` names others.
    private static func tlsConfiguration(_ mode: SSLMode, rootCertificatePath: String?) throws -> TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath {
            let certificates = try NIOSSLCertificate.fromPEMFile(rootCertificatePath)
            guard !certificates.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
            configuration.trustRoots = .certificates(certificates)
        }
        switch mode {
        case .disable:
            return nil
        case .allow, .prefer:
            configuration.certificateVerification = .none
        case .require:
            configuration.certificateVerification = rootCertificatePath == nil ? .none : .noHostnameVerification
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        return configuration
    }

    /// Whether a server without TLS is still connected to (`allow`, `prefer`).
    private var tlsIsOptional: Bool { sslMode == .allow || sslMode == .prefer }

    private var clientTLS: PostgresClient.Configuration.TLS {
        guard let tlsContext else { return .disable }
        return tlsIsOptional ? .prefer(tlsContext.configuration) : .require(tlsContext.configuration)
    }

    private var connectionTLS: PostgresConnection.Configuration.TLS {
        guard let tlsContext else { return .disable }
        return tlsIsOptional ? .prefer(tlsContext) : .require(tlsContext)
    }
}
