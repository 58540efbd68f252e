import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL URL as libpq reads it, `postgres://user:password@host:port/database`, with
/// libpq's parameters `host` (a directory for a Unix-domain socket), `port`, `user`, `password`,
/// `dbname`, `application_name`, `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, turned into
/// client configurations. SQLAlchemy's `postgresql+asyncpg://…` (asyncpg's `ssl` for `sslmode`) is
/// read the same way.
public struct DatabaseURL: Sendable {
    /// Where the server listens.
    public enum Server: Sendable, Hashable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        /// A Unix-domain socket: libpq's socket directory and `.s.PGSQL.<port>`.
        case unixSocket(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unixSocket(let path): path
            }
        }
    }

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

    /// libpq's socket directory on Debian, used when the URL names no host.
    private static let defaultSocketDirectory = "/var/run/postgresql"

    public let server: Server
    public let username: String
    public let password: String?
    public let database: String?
    /// What the server shows as the connections' `application_name` (`pg_stat_activity`): the
    /// URL's, else the one the process gives (`hotcart serve`, `hotcart flush`, …).
    public let applicationName: String
    public let sslMode: SSLMode
    /// The certificates a server's certificate must chain to (`sslrootcert`); the system's
    /// when `nil` or `system`.
    public let rootCertificatePath: String?
    /// The certificate and key this client shows a server that asks for one (`sslcert`,
    /// `sslkey`, PEM files).
    public let clientCertificate: (certificatePath: String, keyPath: String)?
    /// `nil` over a Unix-domain socket, where libpq uses no TLS whatever `sslmode` says.
    private let tlsContext: NIOSSLContext?

    /// Reads `url`, naming its connections `applicationName` unless it names them itself; a
    /// URL that is not a PostgreSQL URL, a port that is not a number, an unknown `sslmode`, a
    /// certificate or key file that cannot be read, or `sslcert` without `sslkey` (or the
    /// reverse) is refused with the reason.
    public init(_ url: String, applicationName: String = "hotcart") throws(Invalid) {
        guard let components = URLComponents(string: url), let scheme = components.scheme, Self.isPostgresScheme(scheme)
        else {
            throw Invalid(description: "is not a postgres:// URL")
        }
        let parameters = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") },
            uniquingKeysWith: { _, last in last }
        )
        /// A parameter given a value (libpq reads `sslcert=` as no certificate).
        func given(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        self.server = try Self.server(components, parameters)
        self.username = parameters["user"] ?? components.user ?? "postgres"
        self.password = parameters["password"] ?? components.password
        let database = parameters["dbname"] ?? String(components.path.drop { $0 == "/" })
        self.database = database.isEmpty ? nil : database
        self.applicationName = given("application_name") ?? applicationName
        let modeNames = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
        // asyncpg's URLs (SQLAlchemy's `postgresql+asyncpg://`) name the mode `ssl`.
        let modeName = parameters["sslmode"] ?? parameters["ssl"] ?? SSLMode.prefer.rawValue
        guard let sslMode = SSLMode(rawValue: modeName) else {
            throw Invalid(description: "has an sslmode that is not one of \(modeNames)")
        }
        self.sslMode = sslMode
        self.rootCertificatePath = given("sslrootcert").flatMap { $0 == "system" ? nil : $0 }
        switch (given("sslcert"), given("sslkey")) {
        case (let certificate?, let key?): self.clientCertificate = (certificate, key)
        case (nil, nil): self.clientCertificate = nil
        case (_?, nil): throw Invalid(description: "has an sslcert without its sslkey")
        case (nil, _?): throw Invalid(description: "has an sslkey without its sslcert")
        }
        if case .unixSocket = self.server {
            self.tlsContext = nil
        } else {
            self.tlsContext = try Self.tlsContext(
                sslMode,
                rootCertificatePath: self.rootCertificatePath,
                clientCertificate: self.clientCertificate
            )
        }
    }

    /// The server the URL names, as libpq finds it: the `host` parameter, else the URL's host
    /// (a socket directory may be written percent-encoded there, `%2Fvar%2Frun%2Fpostgresql`),
    /// else libpq's socket directory; a host that starts with `/` is a socket directory. The
    /// `port` parameter wins over the URL's port, 5432 by default, which also names the socket.
    private static func server(_ components: URLComponents, _ parameters: [String: String]) throws(Invalid) -> Server {
        var port = components.port ?? 5432
        if let given = parameters["port"] {
            guard let number = Int(given), (1...65535).contains(number) else {
                throw Invalid(description: "has a port that is not a number from 1 to 65535")
            }
            port = number
        }
        var host = parameters["host"] ?? components.host ?? ""
        if host.isEmpty { host = Self.defaultSocketDirectory }
        if host.hasPrefix("/") {
            let directory = host.hasSuffix("/") ? String(host.dropLast()) : host
            return .unixSocket(path: "\(directory)/.s.PGSQL.\(port)")
        }
        // An IPv6 address is written in brackets in a URL, and without them in `host=`.
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return .tcp(host: host, port: port)
    }

    /// `postgres`, `postgresql`, or SQLAlchemy's `postgresql+<driver>` (`+asyncpg`, `+psycopg`,
    /// …), so that the URL a PyShop deployment configures works unchanged.
    private static func isPostgresScheme(_ scheme: String) -> Bool {
        scheme == "postgres" || scheme == "postgresql" || (scheme.hasPrefix("postgresql+") && scheme.count > 11)
    }

    /// The pool's configuration: up to 8 connections, TLS as `sslmode` says.
    public var client: PostgresClient.Configuration {
        var configuration =
            switch server {
            case .tcp(let host, let port):
                PostgresClient.Configuration(
                    host: host,
                    port: port,
                    username: username,
                    password: password,
                    database: database,
                    tls: clientTLS
                )
            case .unixSocket(let path):
                PostgresClient.Configuration(
                    unixSocketPath: path,
                    username: username,
                    password: password,
                    database: database
                )
            }
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
        configuration.options.additionalStartupParameters = [("jit", "off"), ("application_name", applicationName)]
        return configuration
    }

    /// One connection's configuration (for a command's first check that the server answers),
    /// TLS as `sslmode` says.
    public func connection(connectTimeout: Duration) -> PostgresConnection.Configuration {
        var configuration =
            switch server {
            case .tcp(let host, let port):
                PostgresConnection.Configuration(
                    host: host,
                    port: port,
                    username: username,
                    password: password,
                    database: database,
                    tls: connectionTLS
                )
            case .unixSocket(let path):
                PostgresConnection.Configuration(
                    unixSocketPath: path,
                    username: username,
                    password: password,
                    database: database
                )
            }
        configuration.options.connectTimeout = .init(connectTimeout)
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
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

    /// The TLS context `mode` asks for, or `nil` for none. libpq checks nothing of the
    /// certificate under `prefer` and `require` unless `sslrootcert` is given, which makes
    /// `require` `verify-ca`; `verify-ca` and `verify-full` trust the system's authorities
    /// unless `sslrootcert` names others. A client certificate is shown to a server that asks.
    private static func tlsContext(
        _ mode: SSLMode,
        rootCertificatePath: String?,
        clientCertificate: (certificatePath: String, keyPath: String)?
    ) throws(Invalid) -> NIOSSLContext? {
        if mode == .disable { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath {
            let certificates = try? NIOSSLCertificate.fromPEMFile(rootCertificatePath)
            guard let certificates, !certificates.isEmpty else {
                throw Invalid(description: "has an sslrootcert that cannot be read as PEM certificates")
            }
            configuration.trustRoots = .certificates(certificates)
        }
        if let clientCertificate {
            let chain = try? NIOSSLCertificate.fromPEMFile(clientCertificate.certificatePath)
            guard let chain, !chain.isEmpty else {
                throw Invalid(description: "has an sslcert that cannot be read as a PEM certificate")
            }
            guard let key = try? NIOSSLPrivateKey(file: clientCertificate.keyPath, format: .pem) else {
                throw Invalid(description: "has an sslkey that cannot be read as an unencrypted PEM private key")
            }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
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
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            // The files were read, so what is left to refuse is a key for another certificate.
            throw Invalid(
                description: clientCertificate == nil
                    ? "has TLS settings that cannot be used (\(error))"
                    : "has an sslkey that does not belong to its sslcert"
            )
        }
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
