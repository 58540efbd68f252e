import CartDomain
import CartStore
import Foundation
import HotCartTestSupport
import Logging
import PostgresNIO
import RedisClient
import Testing

@testable import WriteBehind

/// `hotcart flush` as a real process, stopped with SIGKILL or SIGTERM in the middle of a load.
@Suite struct FlusherProcessTests {
    /// Waits (bounded, without parking on the child) until a signalled process has exited.
    static func reap(_ process: Process) {
        for _ in 0..<5000 where process.isRunning { usleep(1000) }
    }

    /// A flusher whose log goes to `output` (discarded by default).
    func startFlusher(output: FileHandle = .nullDevice) throws -> Process {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["flush"]
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_URL"] = TestEnvironment.redis.description
        environment["DATABASE_URL"] = TestEnvironment.databaseURL
        environment["FLUSH_METRICS_PORT"] = "0"
        environment["FLUSH_BATCH_SIZE"] = "50"
        environment["FLUSH_CLAIM_AFTER_MS"] = "500"
        process.environment = environment
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(arguments: [SIGKILL, SIGTERM])
    func aFlusherStoppedMidLoadLosesNothingOnceAnotherRuns(signal: Int32) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: ServerProcess.binary.path), "build hotcart first")
        let logger = Logger(label: "test")
        let postgres = PostgresClient(configuration: TestEnvironment.database, backgroundLogger: logger)
        try await TestEnvironment.withRedis { redis async throws in
            try await withThrowingTaskGroup(of: Void.self) { group async throws in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                let store = RedisCartStore(redis: redis, settings: CartSettings(mutationsPerMinute: 0))
                let owners = (0..<50).map { _ in CartOwner.guest(sessionID: TestEnvironment.uniqueID()) }
                let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("flush-\(UUID()).log").path
                FileManager.default.createFile(atPath: logPath, contents: nil)
                defer { try? FileManager.default.removeItem(atPath: logPath) }
                let first = try startFlusher(output: try #require(FileHandle(forWritingAtPath: logPath)))
                defer {
                    // Never left running when the test stops early: it would flush other tests' carts.
                    if first.isRunning {
                        kill(first.processIdentifier, SIGKILL)
                        Self.reap(first)
                    }
                }
                for round in 0..<20 {
                    if round == 10 {
                        kill(first.processIdentifier, signal)
                        Self.reap(first)
                        #expect(!first.isRunning, "the flusher did not stop within 5 s")
                        if signal == SIGTERM && !first.isRunning {
                            // A clean stop: the batch in hand finished or left pending, exit 0,
                            // and the log says the shutdown began, then, last, that it stopped.
                            #expect(first.terminationReason == .exit && first.terminationStatus == 0)
                            let log = try String(contentsOfFile: logPath, encoding: .utf8)
                            #expect(log.contains("info hotcart.flush: shutting down: finishing the batch in hand\n"))
                            #expect(log.hasSuffix("info hotcart.flush: stopped\n"), "\(log)")
                        }
                    }
                    try await withThrowingTaskGroup(of: Void.self) { writes in
                        for owner in owners {
                            writes.addTask {
                                let product = ProductSnapshot(
                                    id: 1 + round % 3,
                                    name: "p",
                                    price: Cents(100),
                                    stock: nil,
                                    isActive: true
                                )
                                _ = try await store.addItem(
                                    product,
                                    quantity: 1,
                                    session: CartSession(owner: owner),
                                    ifMatch: nil
                                )
                            }
                        }
                        try await writes.waitForAll()
                    }
                }
                let second = try startFlusher()
                defer {
                    second.terminate()
                    Self.reap(second)
                }
                var pending = owners
                for _ in 0..<200 where !pending.isEmpty {
                    var stillPending: [CartOwner] = []
                    for owner in pending {
                        let cart = try #require(
                            try await store.snapshots(ofCartKeys: [CartKeys(owner: owner).cart]).first
                        )
                        var stored: Int64?
                        for try await version in try await postgres.query(
                            "SELECT version FROM cart WHERE id = \(cart.id)::uuid"
                        ).decode(Int64.self) {
                            stored = version
                        }
                        if stored != cart.version { stillPending.append(owner) }
                    }
                    pending = stillPending
                    if !pending.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(pending.isEmpty, "\(pending.count) carts never reached PostgreSQL")
            }
        }
    }
}
