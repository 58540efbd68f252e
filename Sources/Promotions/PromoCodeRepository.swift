import CartDomain
import Database
import Logging
import PostgresNIO

/// Promotion codes in PostgreSQL. Money travels as integer cents, times as milliseconds.
public struct PromoCodeRepository: Sendable {
    private let client: DatabasePool
    private let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// What a superuser sets on a code.
    public struct Fields: Sendable, Hashable {
        public var code: String
        public var reduction: PromoCode.Reduction
        public var minimumSubtotal: Cents
        public var maximumUses: Int?
        public var startsAt: Int64?
        public var expiresAt: Int64?
        public var isActive: Bool

        public init(
            code: String,
            reduction: PromoCode.Reduction,
            minimumSubtotal: Cents,
            maximumUses: Int?,
            startsAt: Int64?,
            expiresAt: Int64?,
            isActive: Bool
        ) {
            self.code = code
            self.reduction = reduction
            self.minimumSubtotal = minimumSubtotal
            self.maximumUses = maximumUses
            self.startsAt = startsAt
            self.expiresAt = expiresAt
            self.isActive = isActive
        }

        /// The fields of an existing code.
        public init(_ code: PromoCode) {
            self.init(
                code: code.code,
                reduction: code.reduction,
                minimumSubtotal: code.minimumSubtotal,
                maximumUses: code.maximumUses,
                startsAt: code.startsAt,
                expiresAt: code.expiresAt,
                isActive: code.isActive
            )
        }
    }

    /// A code another code already has (whatever the case).
    public struct DuplicateCode: Error {}

    /// A maximum of uses below the uses checkouts already took.
    public struct MaximumBelowUses: Error {}

    /// Every code, by code.
    public func all() async throws -> [PromoCode] {
        try await self.codes(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM promo_code ORDER BY lower(code)"))
    }

    /// The code `code` (any case).
    public func code(_ code: String) async throws -> PromoCode? {
        try await self.codes("SELECT \(unescaped: Self.columns) FROM promo_code WHERE lower(code) = lower(\(code))")
            .first
    }

    /// Creates a code; throws ``DuplicateCode`` when it is taken.
    public func create(_ fields: Fields) async throws -> PromoCode {
        let (percent, amount) = Self.columns(of: fields.reduction)
        let created = try await self.writing(
            """
            INSERT INTO promo_code (code, percent_off, amount_off, min_subtotal, max_uses, starts_at, expires_at, is_active)
            VALUES (\(fields.code), \(percent), \(amount)::numeric, \(fields.minimumSubtotal.description)::numeric,
                \(fields.maximumUses), to_timestamp(\(fields.startsAt.map(Self.seconds))),
                to_timestamp(\(fields.expiresAt.map(Self.seconds))), \(fields.isActive))
            RETURNING \(unescaped: Self.columns)
            """
        )
        guard let created else { preconditionFailure("INSERT … RETURNING answers with its row") }
        return created
    }

    /// Replaces the fields of the code `code` (any case); `nil` when there is no such code.
    /// A maximum below the uses already taken is refused by PostgreSQL (a check constraint).
    public func update(_ code: String, _ fields: Fields) async throws -> PromoCode? {
        let (percent, amount) = Self.columns(of: fields.reduction)
        return try await self.writing(
            """
            UPDATE promo_code SET code = \(fields.code), percent_off = \(percent), amount_off = \(amount)::numeric,
                min_subtotal = \(fields.minimumSubtotal.description)::numeric, max_uses = \(fields.maximumUses),
                starts_at = to_timestamp(\(fields.startsAt.map(Self.seconds))),
                expires_at = to_timestamp(\(fields.expiresAt.map(Self.seconds))), is_active = \(fields.isActive),
                updated_at = now()
            WHERE lower(code) = lower(\(code))
            RETURNING \(unescaped: Self.columns)
            """
        )
    }

    /// Deletes the code `code` (any case); whether it existed. Carts holding it keep the
    /// code with no discount.
    public func delete(_ code: String) async throws -> Bool {
        try await self.writing(
            "DELETE FROM promo_code WHERE lower(code) = lower(\(code)) RETURNING \(unescaped: Self.columns)"
        ) != nil
    }

    /// A statement that changes a code, committed only for a caller still waiting for it.
    private func writing(_ query: PostgresQuery) async throws -> PromoCode? {
        do {
            return try Self.codes(in: try await self.client.rowsCommittedUnlessCancelled(query, logger: self.logger))
                .first
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw DuplicateCode()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23514" {
            // The only check a validated write can break: uses <= max_uses.
            throw MaximumBelowUses()
        }
    }

    private static let columns = """
        code, percent_off, (amount_off * 100)::bigint, (min_subtotal * 100)::bigint, max_uses, uses,
        (extract(epoch FROM starts_at) * 1000)::bigint, (extract(epoch FROM expires_at) * 1000)::bigint, is_active,
        (extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint
        """

    private static func columns(of reduction: PromoCode.Reduction) -> (percent: Int?, amount: String?) {
        switch reduction {
        case .percent(let percent): (percent, nil)
        case .amount(let amount): (nil, amount.description)
        }
    }

    /// Milliseconds as the seconds `to_timestamp` takes (exact to the millisecond).
    private static func seconds(_ milliseconds: Int64) -> Double { Double(milliseconds) / 1000 }

    private func codes(_ query: PostgresQuery) async throws -> [PromoCode] {
        try Self.codes(in: try await self.client.rows(query, logger: self.logger))
    }

    /// Takes one use of the code `code` (any case) for a checkout of `subtotal`, inside the
    /// caller's transaction: the code's row is locked, so of concurrent checkouts competing for
    /// the last use exactly one gets it. Returns the code's rules, or why it may not be used.
    public static func takeUse(
        of code: String,
        subtotal: Cents,
        now: Int64,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Result<PromoCode, PromoRefusal> {
        let rows = try await connection.rows(
            "SELECT \(unescaped: Self.columns) FROM promo_code WHERE lower(code) = lower(\(code)) FOR UPDATE",
            logger: logger
        )
        guard let found = try Self.codes(in: rows).first else { return .failure(.unknown(code)) }
        if let refusal = found.refusal(subtotal: subtotal, now: now) { return .failure(refusal) }
        try await connection.execute(
            "UPDATE promo_code SET uses = uses + 1 WHERE lower(code) = lower(\(code))",
            logger: logger
        )
        return .success(found)
    }

    /// Gives back one use of the code `code` (a cancelled or expired checkout's), inside the
    /// caller's transaction; a code deleted since is left alone.
    public static func returnUse(of code: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute(
            "UPDATE promo_code SET uses = uses - 1 WHERE lower(code) = lower(\(code)) AND uses > 0",
            logger: logger
        )
    }

    private static func codes(in rows: [PostgresRow]) throws -> [PromoCode] {
        var codes: [PromoCode] = []
        for row in rows {
            let (code, percent, amount, minimum, maximumUses, uses, startsAt, expiresAt, isActive, created, updated) =
                try row.decode(
                    (String, Int?, Int64?, Int64, Int?, Int, Int64?, Int64?, Bool, Int64, Int64).self
                )
            codes.append(
                PromoCode(
                    code: code,
                    reduction: percent.map { .percent($0) } ?? .amount(Cents(amount ?? 0)),
                    minimumSubtotal: Cents(minimum),
                    maximumUses: maximumUses,
                    uses: uses,
                    startsAt: startsAt,
                    expiresAt: expiresAt,
                    isActive: isActive,
                    createdAt: created,
                    updatedAt: updated
                )
            )
        }
        return codes
    }
}
