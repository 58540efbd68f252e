import Database
import Foundation
import HotCartTestSupport
import Logging
import PostgresNIO
import Testing

/// `DATABASE_URL` as libpq reads it, `sslmode` and `sslrootcert` included, and connections to
/// the test PostgreSQL (TLS on, with the self-signed certificate `scripts/services.sh` made for
/// localhost and 127.0.0.1) in each mode.
@Suite struct DatabaseURLTests {
    private let logger = Logger(label: "test.database-url")

    @Test func theURLsPartsWithLibpqsDefaults() throws {
        let url = try DatabaseURL("postgresql://shop:p%40ss@db.internal:6432/carts")
        #expect(url.host == "db.internal")
        #expect(url.port == 6432)
        #expect(url.username == "shop")
        #expect(url.password == "p@ss")
        #expect(url.database == "carts")
        #expect(url.sslMode == .prefer)
        #expect(url.rootCertificatePath == nil)

        let bare = try DatabaseURL("postgres://db.internal")
        #expect(bare.port == 5432)
        #expect(bare.username == "postgres")
        #expect(bare.password == nil)
        #expect(bare.database == nil)
    }

    /// The URL a PyShop (SQLAlchemy) deployment configures works unchanged.
    @Test func sqlAlchemysDriverSchemesAndAsyncpgsSSL() throws {
        let asyncpg = try DatabaseURL("postgresql+asyncpg://shop:pw@db.internal/pyshop?ssl=require")
        #expect(asyncpg.host == "db.internal" && asyncpg.database == "pyshop" && asyncpg.sslMode == .require)
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
        ("postgres:///hotcart", "is not a postgres:// URL"),
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
        let connection = try await PostgresConnection.connect(
            configuration: url.connection(connectTimeout: .seconds(5)),
            id: 1,
            logger: logger
        )
        defer { Task { try await connection.close() } }
        let rows = try await connection.query(Self.encryptionQuery, logger: logger)
        #expect(try await Self.encryption(seenIn: rows) == [encrypted])
    }

    /// The pool the servers use speaks TLS as the URL says, too.
    @Test func thePoolVerifiesTheServerWhenAsked() async throws {
        let url = try DatabaseURL(
            try Self.testDatabaseURL(host: "localhost", parameters: "sslmode=verify-full&sslrootcert=CERTIFICATE")
        )
        let client = PostgresClient(configuration: url.client, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let rows = try await client.query(Self.encryptionQuery, logger: logger)
            #expect(try await Self.encryption(seenIn: rows) == [true])
        }
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

    /// Whether TLS carries the connection that runs it, as the server sees it.
    private static let encryptionQuery: PostgresQuery = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"

    private static func encryption(seenIn rows: PostgresRowSequence) async throws -> [Bool] {
        var seen: [Bool] = []
        for try await ssl in rows.decode(Bool.self) { seen.append(ssl) }
        return seen
    }

    /// The test database's URL on `host`, with `parameters` (`CERTIFICATE` standing for the
    /// path of the local PostgreSQL's certificate, which `scripts/services.sh` exports).
    private static func testDatabaseURL(host: String, parameters: String) throws -> String {
        let database = TestEnvironment.database
        let certificate = try TestEnvironment.certificate().certificatePath
        let password = database.password.map { ":\($0)" } ?? ""
        let query = parameters.replacingOccurrences(of: "CERTIFICATE", with: certificate)
        return "postgres://\(database.username)\(password)@\(host):\(database.port ?? 5432)/"
            + "\(database.database ?? "")\(query.isEmpty ? "" : "?\(query)")"
    }
}
