import Database
import Foundation
import HotCartTestSupport
import Logging
import PostgresNIO
import Testing

/// `DATABASE_URL` as libpq reads it, its parameters included, and connections to the test
/// PostgreSQL (TLS on, with the self-signed certificate `scripts/services.sh` made for localhost
/// and 127.0.0.1, which it also accepts from a client) in each mode, and over its Unix socket.
@Suite struct DatabaseURLTests {
    private let logger = Logger(label: "test.database-url")

    @Test func theURLsPartsWithLibpqsDefaults() throws {
        let url = try DatabaseURL("postgresql://shop:p%40ss@db.internal:6432/carts")
        #expect(url.server == .tcp(host: "db.internal", port: 6432))
        #expect(url.username == "shop")
        #expect(url.password == "p@ss")
        #expect(url.database == "carts")
        #expect(url.sslMode == .prefer)
        #expect(url.rootCertificatePath == nil)

        let bare = try DatabaseURL("postgres://db.internal")
        #expect(bare.server == .tcp(host: "db.internal", port: 5432))
        #expect(bare.username == "postgres")
        #expect(bare.password == nil)
        #expect(bare.database == nil)
        #expect(bare.clientCertificate == nil)

        let ipv6 = try DatabaseURL("postgres://[::1]:5433/carts")
        #expect(ipv6.server == .tcp(host: "::1", port: 5433))
        #expect(ipv6.server.description == "[::1]:5433")
    }

    /// libpq's parameters win over the URL's parts; a host that is a directory is where the
    /// server's Unix-domain socket is, and no host at all is libpq's socket directory.
    @Test func libpqsParametersAndUnixSockets() throws {
        let named = try DatabaseURL(
            "postgres://u:p@db.internal/a?host=db2.internal&port=6433&user=v&password=q&dbname=b"
        )
        #expect(named.server == .tcp(host: "db2.internal", port: 6433))
        #expect(named.username == "v" && named.password == "q" && named.database == "b")
        #expect(
            try DatabaseURL("postgresql:///hotcart").server == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432")
        )
        #expect(
            try DatabaseURL("postgresql://%2Fvar%2Flib%2Fpostgresql:6432/hotcart").server
                == .unixSocket(path: "/var/lib/postgresql/.s.PGSQL.6432")
        )
        let socket = try DatabaseURL("postgresql+asyncpg://shop@/hotcart?host=/tmp/&port=55432&sslmode=require")
        #expect(socket.server == .unixSocket(path: "/tmp/.s.PGSQL.55432"))
        #expect(socket.server.description == "/tmp/.s.PGSQL.55432")
        #expect(socket.username == "shop" && socket.database == "hotcart")
    }

    /// The URL a PyShop (SQLAlchemy) deployment configures works unchanged.
    @Test func sqlAlchemysDriverSchemesAndAsyncpgsSSL() throws {
        let asyncpg = try DatabaseURL("postgresql+asyncpg://shop:pw@db.internal/pyshop?ssl=require")
        #expect(
            asyncpg.server == .tcp(host: "db.internal", port: 5432) && asyncpg.database == "pyshop"
                && asyncpg.sslMode == .require
        )
        #expect(try DatabaseURL("postgresql+psycopg://shop@db.internal/pyshop").sslMode == .prefer)
        #expect(throws: DatabaseURL.Invalid.self) { try DatabaseURL("postgresql+://db.internal/pyshop") }
        #expect(throws: DatabaseURL.Invalid.self) { try DatabaseURL("mysql+asyncmy://db.internal/pyshop") }
    }

    @Test(arguments: DatabaseURL.SSLMode.allCases)
    func everySSLModeIsRead(mode: DatabaseURL.SSLMode) throws {
        let url = try DatabaseURL("postgres://db.internal/hotcart?application_name=x&sslmode=\(mode.rawValue)")
        #expect(url.sslMode == mode)
    }

    @Test(arguments: [
        ("http://db.internal/hotcart", "is not a postgres:// URL"),
        ("postgres://db.internal/hotcart?port=x", "has a port that is not a number"),
        ("postgres://db.internal/hotcart?port=0", "has a port that is not a number"),
        ("postgres://db.internal/hotcart?sslcert=/c/client.crt", "has an sslcert without its sslkey"),
        ("postgres://db.internal/hotcart?sslkey=/c/client.key", "has an sslkey without its sslcert"),
        ("postgres://db.internal/hotcart?sslcert=/etc/hostname&sslkey=/etc/hostname", "has an sslcert that cannot"),
        ("postgres://db.internal/hotcart?sslmode=on", "has an sslmode that is not one of"),
        ("postgres://db.internal/hotcart?sslmode=", "has an sslmode that is not one of"),
        ("postgres://db.internal/hotcart?sslmode=require&sslrootcert=/nonexistent/root.crt", "has an sslrootcert"),
        ("postgres://db.internal/hotcart?sslmode=verify-full&sslrootcert=/etc/hostname", "has an sslrootcert"),
    ])
    func aURLThatCannotBeUsedSaysWhy(url: String, reason: String) {
        #expect {
            try DatabaseURL(url)
        } throws: { error in
            (error as? DatabaseURL.Invalid)?.description.hasPrefix(reason) == true
        }
    }

    /// Whether the server sees TLS on the connection each mode opens.
    @Test(arguments: [
        ("127.0.0.1", "sslmode=disable", false),
        ("127.0.0.1", "sslmode=allow", true),
        ("127.0.0.1", "", true),
        ("127.0.0.1", "sslmode=require", true),
        ("127.0.0.1", "sslmode=require&sslrootcert=CERTIFICATE", true),
        ("127.0.0.1", "sslmode=verify-ca&sslrootcert=CERTIFICATE", true),
        ("localhost", "sslmode=verify-full&sslrootcert=CERTIFICATE", true),
        ("127.0.0.1", "sslmode=verify-full&sslrootcert=CERTIFICATE", true),
    ])
    func eachModeConnectsAsLibpqWould(host: String, parameters: String, encrypted: Bool) async throws {
        let url = try DatabaseURL(try Self.testDatabaseURL(host: host, parameters: parameters))
        let seen = try await self.onAConnection(of: url) { connection in
            try await Self.all(connection.query(Self.encryptionQuery, logger: self.logger).decode(Bool.self))
        }
        #expect(seen == [encrypted])
    }

    /// The pool the servers use speaks TLS as the URL says, too.
    @Test func thePoolVerifiesTheServerWhenAsked() async throws {
        let url = try DatabaseURL(
            try Self.testDatabaseURL(host: "localhost", parameters: "sslmode=verify-full&sslrootcert=CERTIFICATE")
        )
        let seen = try await self.throughThePool(of: url) { client in
            try await Self.all(client.query(Self.encryptionQuery, logger: self.logger).decode(Bool.self))
        }
        #expect(seen == [true])
    }

    /// A certificate no trusted authority signed is refused under `verify-full` and
    /// `verify-ca` (the system's authorities, without `sslrootcert`), at once.
    @Test(arguments: ["sslmode=verify-full", "sslmode=verify-ca", "sslmode=verify-full&sslrootcert=system"])
    func anUntrustedServerIsRefused(parameters: String) async throws {
        let url = try DatabaseURL(try Self.testDatabaseURL(host: "localhost", parameters: parameters))
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            try await PostgresConnection.connect(
                configuration: url.connection(connectTimeout: .seconds(5)),
                id: 1,
                logger: logger
            ).close()
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    /// The client certificate (`sslcert`, `sslkey`) is shown to a server that asks for one (the
    /// test PostgreSQL does, and checks it), and none is shown without them.
    @Test func aClientCertificateIsShownWhenGiven() async throws {
        let query: PostgresQuery = "SELECT coalesce(client_dn, '') FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        for (parameters, subject) in [
            ("sslmode=verify-full&sslrootcert=CERTIFICATE&sslcert=CERTIFICATE&sslkey=KEY", "CN=localhost"),
            ("sslmode=require&sslcert=CERTIFICATE&sslkey=KEY", "CN=localhost"),
            ("sslmode=verify-full&sslrootcert=CERTIFICATE", ""),
        ] {
            let url = try DatabaseURL(try Self.testDatabaseURL(host: "localhost", parameters: parameters))
            let seen = try await self.onAConnection(of: url) { connection in
                try await Self.all(connection.query(query, logger: self.logger).decode(String.self))
            }
            #expect(seen.count == 1 && seen[0].hasSuffix(subject), "\(parameters): \(seen)")
        }
    }

    /// A key that cannot be read, or that belongs to another certificate, stops start-up.
    @Test func aClientKeyThatCannotBeUsedIsRefused() throws {
        let certificate = try TestEnvironment.certificate()
        let otherKey = FileManager.default.temporaryDirectory.appendingPathComponent("other-\(UUID()).key").path
        defer { try? FileManager.default.removeItem(atPath: otherKey) }
        let openssl = try Process.run(
            URL(fileURLWithPath: "/usr/bin/openssl"),
            arguments: ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", otherKey]
        )
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)
        for (key, reason) in [
            ("/etc/hostname", "has an sslkey that cannot be read as an unencrypted PEM private key"),
            (otherKey, "has an sslkey that does not belong to its sslcert"),
        ] {
            #expect {
                try DatabaseURL("postgres://db.internal/hotcart?sslcert=\(certificate.certificatePath)&sslkey=\(key)")
            } throws: { error in
                (error as? DatabaseURL.Invalid)?.description == reason
            }
        }
    }

    /// A socket directory as the host reaches the server over its Unix-domain socket, without
    /// TLS whatever `sslmode` says (as libpq), from a connection and from the pool.
    @Test func theUnixSocketIsReachedWithoutTLS() async throws {
        let database = TestEnvironment.database
        let password = database.password.map { ":\($0)" } ?? ""
        let url = try DatabaseURL(
            "postgres://\(database.username)\(password)@/\(database.database ?? "")"
                + "?host=\(try TestEnvironment.socketDirectory())&port=\(database.port ?? 5432)&sslmode=require"
        )
        let query: PostgresQuery =
            "SELECT inet_server_addr() IS NULL, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        let onAConnection = try await self.onAConnection(of: url) { connection in
            try await Self.all(connection.query(query, logger: self.logger).decode((Bool, Bool).self))
        }
        let throughThePool = try await self.throughThePool(of: url) { client in
            try await Self.all(client.query(query, logger: self.logger).decode((Bool, Bool).self))
        }
        let seen = (onAConnection + throughThePool).map { [$0.0, $0.1] }
        #expect(seen == [[true, false], [true, false]])
    }

    /// PostgreSQL shows the connections as the URL's `application_name`, else as the process
    /// names itself (`pg_stat_activity` tells an operator whose connections are whose).
    @Test func theConnectionsCarryTheirApplicationName() async throws {
        let query: PostgresQuery = "SELECT current_setting('application_name')"
        for (parameters, name) in [
            ("sslmode=disable", "hotcart test"), ("application_name=pyshop%20api", "pyshop api"),
        ] {
            let url = try DatabaseURL(
                try Self.testDatabaseURL(host: "127.0.0.1", parameters: parameters),
                applicationName: "hotcart test"
            )
            let onAConnection = try await self.onAConnection(of: url) { connection in
                try await Self.all(connection.query(query, logger: self.logger).decode(String.self))
            }
            let throughThePool = try await self.throughThePool(of: url) { client in
                try await Self.all(client.query(query, logger: self.logger).decode(String.self))
            }
            #expect(onAConnection + throughThePool == [name, name])
        }
    }

    /// Whether TLS carries the connection that runs it, as the server sees it.
    private static let encryptionQuery: PostgresQuery = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"

    /// `body`'s answer on one connection `url` configures, closed afterwards.
    private func onAConnection<Result: Sendable>(
        of url: DatabaseURL,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await PostgresConnection.connect(
            configuration: url.connection(connectTimeout: .seconds(5)),
            id: 1,
            logger: self.logger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// `body`'s answer through a running pool `url` configures, the servers' way.
    private func throughThePool<Result: Sendable>(
        of url: DatabaseURL,
        _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: url.client, backgroundLogger: self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Every element of `sequence`, in order.
    private static func all<Elements: AsyncSequence>(_ sequence: Elements) async throws -> [Elements.Element] {
        var elements: [Elements.Element] = []
        for try await element in sequence { elements.append(element) }
        return elements
    }

    /// The test database's URL on `host`, with `parameters` (`CERTIFICATE` and `KEY` standing
    /// for the paths of the local PostgreSQL's certificate and key, which `scripts/services.sh`
    /// exports).
    private static func testDatabaseURL(host: String, parameters: String) throws -> String {
        let database = TestEnvironment.database
        let certificate = try TestEnvironment.certificate()
        let password = database.password.map { ":\($0)" } ?? ""
        let query = parameters.replacingOccurrences(of: "CERTIFICATE", with: certificate.certificatePath)
            .replacingOccurrences(of: "KEY", with: certificate.keyPath)
        return "postgres://\(database.username)\(password)@\(host):\(database.port ?? 5432)/"
            + "\(database.database ?? "")\(query.isEmpty ? "" : "?\(query)")"
    }
}
