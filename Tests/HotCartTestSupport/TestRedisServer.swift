import Foundation
import NIOCore
import NIOPosix
import RedisClient

/// A throw-away `redis-server` on its own port, for tests that stop and restart Redis
/// without disturbing the shared one.
public final class TestRedisServer: @unchecked Sendable {
    public private(set) var port: Int
    private var process: Process?
    /// With TLS only (`--tls-port`), the certificate it presents; `nil` for plain TCP.
    private let certificate: TestEnvironment.Certificate?
    /// Whether a TLS client must show a certificate the server's own certificate signed.
    private let requiresClientCertificates: Bool

    private init(certificate: TestEnvironment.Certificate?, requiresClientCertificates: Bool) {
        self.port = Int.random(in: 40_000...49_000)
        self.certificate = certificate
        self.requiresClientCertificates = requiresClientCertificates
    }

    /// Runs `body` with a started server and kills the server afterwards, whatever happens
    /// (a server left running would keep the test process's output open). With
    /// `tls`, the server speaks TLS only, presenting that certificate, and with
    /// `requiringClientCertificates` admits only clients that show it too.
    public static func with<Result>(
        tls certificate: TestEnvironment.Certificate? = nil,
        requiringClientCertificates: Bool = false,
        _ body: (TestRedisServer) async throws -> Result
    ) async throws -> Result {
        let server = TestRedisServer(certificate: certificate, requiresClientCertificates: requiringClientCertificates)
        defer { server.kill() }
        try await server.start()
        return try await body(server)
    }

    /// The server's endpoint; with TLS, one that trusts the server's certificate.
    public var endpoint: RedisEndpoint {
        RedisEndpoint(
            host: "127.0.0.1",
            port: self.port,
            tls: self.certificate.map { RedisTLS(trustedCertificatesPath: $0.certificatePath) }
        )
    }

    /// Where a plain (not TLS) server also listens: a Unix-domain socket named after its port.
    public var socketPath: String { "/tmp/hotcart-test-redis-\(self.port).sock" }

    /// Starts the server (again, after `kill`) and waits until it answers; a port found
    /// taken is traded for another one, except on a restart, which must keep its port.
    public func start() async throws {
        let restart = self.process != nil || self.started
        for _ in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
            process.arguments = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            if let certificate = self.certificate {
                process.arguments! += [
                    "--port", "0", "--tls-port", String(self.port),
                    "--tls-cert-file", certificate.certificatePath, "--tls-key-file", certificate.keyPath,
                ]
                process.arguments! +=
                    self.requiresClientCertificates
                    ? ["--tls-auth-clients", "yes", "--tls-ca-cert-file", certificate.certificatePath]
                    : ["--tls-auth-clients", "no"]
            } else {
                process.arguments! += ["--port", String(self.port), "--unixsocket", self.socketPath]
            }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            self.process = process
            for _ in 0..<200 where process.isRunning {
                if await Self.answers(port: self.port) {
                    self.started = true
                    return
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            self.kill()
            if restart { break }
            self.port = Int.random(in: 40_000...49_000)
        }
        throw RedisError.unavailable
    }

    private var started = false

    /// Kills the server at once (SIGKILL), as a crash would; the port is free when it returns.
    public func kill() {
        guard let process = self.process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        // Reaping a SIGKILLed child takes microseconds; bounded, so it cannot stall a thread.
        for _ in 0..<1000 where process.isRunning { usleep(1000) }
        self.process = nil
        // A killed server leaves its socket file behind.
        try? FileManager.default.removeItem(atPath: self.socketPath)
    }

    /// Freezes the server (SIGSTOP): connections stay open and nothing answers.
    public func pause() {
        if let process = self.process { Foundation.kill(process.processIdentifier, SIGSTOP) }
    }

    /// Lets a paused server run again (SIGCONT).
    public func resume() {
        if let process = self.process { Foundation.kill(process.processIdentifier, SIGCONT) }
    }

    /// Whether something accepts TCP connections on the port (a non-blocking probe: no
    /// cooperative thread ever waits on a child process).
    private static func answers(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(200))
                .connect(host: "127.0.0.1", port: port)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
