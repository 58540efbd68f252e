import Foundation

/// A `hotcart serve` process of the binary `swift build` made (scripts/test exports its path as
/// `HOTCART_BIN`), on its own loopback port, against the test Redis and PostgreSQL.
public final class ServerProcess: @unchecked Sendable {
    public let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// The `hotcart` binary.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["HOTCART_BIN"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(
            ".build/debug/hotcart"
        )
    }

    /// Runs `hotcart` with `arguments` to its end, with `environment` alone for its environment
    /// (all of this process's when `nil`): its exit status, standard output and standard error.
    public static func command(
        _ arguments: [String],
        environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = self.binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Both are short (a help text, one line): neither pipe fills while the other is read.
        let written = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, written, said)
    }

    /// Starts a server with `environment` on top of the test defaults (`REDIS_URL` is `redis`)
    /// and returns once it is ready (`/readyz`: Redis, PostgreSQL, the catalog loaded), or with
    /// `untilReady` false once it answers at all (`/healthz`); throws when it does not within
    /// 10 s. Its log goes to `output` (discarded by default).
    public static func start(
        redis: String,
        environment: [String: String] = [:],
        untilReady: Bool = true,
        output: FileHandle = .nullDevice
    ) async throws -> ServerProcess {
        for _ in 0..<5 {
            // Below the kernel's ephemeral ports (32768-60999), which outgoing connections take.
            let port = Int.random(in: 20_000..<32_000)
            let process = Process()
            process.executableURL = self.binary
            process.arguments = ["serve"]
            var variables = ProcessInfo.processInfo.environment
            variables["REDIS_URL"] = redis
            variables["DATABASE_URL"] = TestEnvironment.databaseURL
            variables["SECRET_KEY"] = "server-process-test-secret"
            variables["HOST"] = "127.0.0.1"
            variables["PORT"] = String(port)
            variables["CART_COOKIE_SECURE"] = "false"
            variables["CART_RATE_LIMIT_PER_MINUTE"] = "0"
            variables["PASSWORD_HASH_COST"] = "4"
            // Two malloc arenas, so a check of resident memory measures the server: glibc's
            // default (one per thread here) grows it in steps for minutes while the heap is flat.
            variables["MALLOC_ARENA_MAX"] = "2"
            variables.merge(environment) { $1 }
            process.environment = variables
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let server = ServerProcess(port: port, process: process)
            for _ in 0..<100 where process.isRunning {
                if let reply = try? await TestHTTP.send(
                    .GET,
                    untilReady ? "/readyz" : "/healthz",
                    port: port,
                    timeout: .seconds(1)
                ),
                    reply.status == 200
                {
                    return server
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            server.stop()  // most likely the port was taken: another one
        }
        throw TestHTTPError.timedOut
    }

    /// The process id.
    public var pid: Int32 { self.process.processIdentifier }

    public var isRunning: Bool { self.process.isRunning }

    /// Sends `signal` and waits (at most `timeout`) for the process to exit; whether it did.
    @discardableResult
    public func stop(signal: Int32 = SIGKILL, timeout: Duration = .seconds(10)) -> Bool {
        guard self.process.isRunning else { return true }
        kill(self.process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning && ContinuousClock.now < deadline { usleep(1000) }
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            return false
        }
        return true
    }

    /// File descriptors the process holds open now.
    public var openFileDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(self.pid)/fd").count) ?? -1
    }

    /// Resident memory of the process now, in bytes (`VmRSS`).
    public var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(self.pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return kilobytes * 1024
    }

    deinit {
        if self.process.isRunning { self.stop() }
    }
}
