import Database
import Foundation
import HotCartTestSupport
import Logging
import PostgresNIO
import Testing

@testable import WriteBehind

@Suite struct CartSweeperTests {
    let logger = Logger(label: "test")
    let day: Int64 = 86_400_000

    /// Inserts a user whose email is `<id>@example.com`; returns the id.
    func insertUser(_ postgres: DatabasePool) async throws -> String {
        let id = TestEnvironment.uniqueID()
        for try await _ in try await postgres.query(
            "INSERT INTO \"user\" (id, email, hashed_password) VALUES (\(id)::uuid, \(id + "@example.com"), 'x')"
        ) {}
        return id
    }

    /// Inserts an active cart with one line (`line`: in the cart, saved for later, or none), in
    /// one transaction (a concurrent sweep must never see the cart without its line).
    func insertCart(
        _ postgres: DatabasePool,
        user: String?,
        updatedAt: Int64,
        expiresAt: Int64?,
        line: Line = .inCart
    ) async throws -> String {
        let id = TestEnvironment.uniqueID()
        let lineID = TestEnvironment.uniqueID()
        try await postgres.withTransaction(logger: self.logger) { connection in
            for try await _ in try await connection.query(
                """
                INSERT INTO cart (id, user_id, session_id, status, version, created_at, updated_at, expires_at)
                VALUES (\(id)::uuid, \(user)::uuid, \(user == nil ? "ref" : nil), 'active', 1, now(),
                        to_timestamp(\(updatedAt)::bigint / 1000.0), to_timestamp(\(expiresAt)::bigint / 1000.0))
                """,
                logger: self.logger
            ) {}
            guard line != .none else { return }
            for try await _ in try await connection.query(
                """
                INSERT INTO cart_item (id, cart_id, product_id, quantity, unit_price, saved)
                VALUES (\(lineID)::uuid, \(id)::uuid, 1, 2, 5.99, \(line == .saved))
                """,
                logger: self.logger
            ) {}
        }
        return id
    }

    /// Where a test cart's one line is.
    enum Line {
        case inCart, saved, none
    }

    func state(_ postgres: DatabasePool, _ id: String) async throws -> (String, Int) {
        var status = ""
        for try await value in try await postgres.query("SELECT status FROM cart WHERE id = \(id)::uuid").decode(
            String.self
        ) {
            status = value
        }
        var lines = 0
        for try await count in try await postgres.query(
            "SELECT count(*)::int FROM cart_item WHERE cart_id = \(id)::uuid"
        ).decode(Int.self) {
            lines = count
        }
        return (status, lines)
    }

    @Test func expiredGuestCartsLoseTheirLinesAndIdleUserCartsAreAbandoned() async throws {
        let postgres = DatabasePool(configuration: TestEnvironment.database, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let user = try await insertUser(postgres)
            let expiredGuest = try await insertCart(postgres, user: nil, updatedAt: now - 8 * day, expiresAt: now - day)
            let liveGuest = try await insertCart(postgres, user: nil, updatedAt: now, expiresAt: now + 7 * day)
            let idleUser = try await insertCart(postgres, user: user, updatedAt: now - 15 * day, expiresAt: nil)
            for try await _ in try await postgres.query(
                "UPDATE cart SET status = 'converted' WHERE id = \(idleUser)::uuid"
            ) {}
            let otherUser = try await insertUser(postgres)
            let abandonedUser = try await insertCart(
                postgres,
                user: otherUser,
                updatedAt: now - 15 * day,
                expiresAt: nil
            )
            // Carts that end with nothing in the cart: a guest who only looked, a user who saved
            // the one line for later.
            let emptyGuest = try await insertCart(
                postgres,
                user: nil,
                updatedAt: now - 8 * day,
                expiresAt: now - day,
                line: .none
            )
            let savingUser = try await insertUser(postgres)
            let savedOnly = try await insertCart(
                postgres,
                user: savingUser,
                updatedAt: now - 15 * day,
                expiresAt: nil,
                line: .saved
            )
            let sweeper = CartSweeper(postgres: postgres, abandonedAfterMilliseconds: 14 * 86_400_000, logger: logger)
            // Another sweeper (a flusher of another test) may hold the lock for a moment.
            var ran = false
            for _ in 0..<50 where !ran {
                ran = try await sweeper.sweep(now: now).ran
                if !ran { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(ran)
            #expect(try await state(postgres, expiredGuest) == ("expired", 0))
            #expect(try await state(postgres, liveGuest) == ("active", 1))
            #expect(try await state(postgres, abandonedUser) == ("abandoned", 1))
            // Only active carts change: a converted cart stays converted.
            #expect(try await state(postgres, idleUser) == ("converted", 1))
            #expect(try await state(postgres, emptyGuest) == ("expired", 0))
            #expect(try await state(postgres, savedOnly) == ("abandoned", 1))
            // Each change of a cart with lines wrote its event, with those lines, in the same
            // transaction; the carts with nothing in the cart ended without one.
            var events: [String: (String, String?, String)] = [:]
            for try await (cart, type, email, subtotal) in try await postgres.query(
                """
                SELECT cart_id::text, type, email, subtotal::text FROM cart_event
                WHERE cart_id = ANY(\([expiredGuest, liveGuest, idleUser, abandonedUser, emptyGuest, savedOnly])::uuid[])
                """
            ).decode((String, String, String?, String).self) {
                events[cart] = (type, email, subtotal)
            }
            #expect(events.count == 2)
            #expect(events[expiredGuest]?.0 == "cart.expired" && events[expiredGuest]?.2 == "11.98")
            #expect(events[abandonedUser]?.0 == "cart.abandoned")
            #expect(events[abandonedUser]?.1 == otherUser + "@example.com")
        }
    }

    /// Where cart `id` is: its status and lines in the working tables, and whether the archive
    /// holds it and how many of its lines.
    func archived(_ postgres: DatabasePool, _ id: String) async throws -> (carts: Int, lines: Int) {
        var carts = 0
        var lines = 0
        for try await count in try await postgres.query(
            "SELECT count(*)::int FROM cart_archive WHERE id = \(id)::uuid"
        ).decode(Int.self) {
            carts = count
        }
        for try await count in try await postgres.query(
            "SELECT count(*)::int FROM cart_item_archive WHERE cart_id = \(id)::uuid"
        ).decode(Int.self) {
            lines = count
        }
        return (carts, lines)
    }

    @Test func cartsThatEndedLongAgoMoveToTheArchiveWithTheirLinesOnce() async throws {
        let postgres = DatabasePool(configuration: TestEnvironment.database, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var ended: [String] = []
            for index in 0..<30 {
                let id = try await insertCart(
                    postgres,
                    user: nil,
                    updatedAt: now - 100 * day,
                    expiresAt: now - 93 * day
                )
                let status = index.isMultiple(of: 2) ? "abandoned" : "expired"
                for try await _ in try await postgres.query(
                    "UPDATE cart SET status = \(status) WHERE id = \(id)::uuid"
                ) {}
                ended.append(id)
            }
            let recent = try await insertCart(postgres, user: nil, updatedAt: now - 10 * day, expiresAt: now - 3 * day)
            for try await _ in try await postgres.query(
                "UPDATE cart SET status = 'expired' WHERE id = \(recent)::uuid"
            ) {}
            let oldActive = try await insertCart(postgres, user: nil, updatedAt: now - 100 * day, expiresAt: nil)

            // Two flushers archive at once, in small batches: each cart moves exactly once.
            let archiver = CartArchiver(postgres: postgres, archiveAfterMilliseconds: 90 * 86_400_000, logger: logger)
            async let first = archiver.archive(now: now, batchSize: 4)
            async let second = archiver.archive(now: now, batchSize: 4)
            let moved = try await first + second
            #expect(moved >= ended.count)
            for id in ended {
                #expect(try await archived(postgres, id) == (1, 1))
                #expect(try await state(postgres, id) == ("", 0))
            }
            #expect(try await archived(postgres, recent) == (0, 0))
            #expect(try await state(postgres, recent) == ("expired", 1))
            #expect(try await state(postgres, oldActive) == ("active", 1))
        }
    }
}
