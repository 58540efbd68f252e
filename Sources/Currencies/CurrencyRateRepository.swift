import CartDomain
import Database
import Logging
import PostgresNIO

/// Display-currency rates in PostgreSQL, kept to 10 decimals.
public struct CurrencyRateRepository: Sendable {
    /// A rate as stored: the currency, its rate and when it was last set.
    public struct Rate: Sendable, Hashable {
        public var currency: DisplayCurrency
        /// Milliseconds since 1970.
        public var updatedAt: Int64
    }

    private let postgres: DatabasePool
    private let logger: Logger

    public init(postgres: DatabasePool, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Every rate set, by code.
    public func all() async throws -> [Rate] {
        try await self.rates(
            """
            SELECT code, (rate * 10000000000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint
            FROM currency_rate ORDER BY code
            """
        )
    }

    /// Sets the rate of `code` (units per base unit, times ``DisplayCurrency/rateScale``).
    public func set(_ code: String, scaledRate: Int64) async throws -> Rate {
        let rate = Self.decimal(scaledRate)
        let rates = try await self.rates(
            """
            INSERT INTO currency_rate (code, rate) VALUES (\(code), \(rate)::numeric)
            ON CONFLICT (code) DO UPDATE SET rate = EXCLUDED.rate, updated_at = now()
            RETURNING code, (rate * 10000000000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint
            """
        )
        guard let stored = rates.first else { preconditionFailure("INSERT … RETURNING answers with its row") }
        return stored
    }

    /// `scaledRate` as decimal text with 10 decimals.
    private static func decimal(_ scaledRate: Int64) -> String {
        let fraction = String(scaledRate % DisplayCurrency.rateScale)
        return
            "\(scaledRate / DisplayCurrency.rateScale).\(String(repeating: "0", count: 10 - fraction.count))\(fraction)"
    }

    private func rates(_ query: PostgresQuery) async throws -> [Rate] {
        let rows = try await self.postgres.rows(query, logger: self.logger)
        var rates: [Rate] = []
        for (code, scaled, updated) in try rows.decode((String, Int64, Int64).self) {
            rates.append(Rate(currency: DisplayCurrency(code: code, scaledRate: scaled), updatedAt: updated))
        }
        return rates
    }
}
