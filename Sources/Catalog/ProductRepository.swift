import CartDomain
import Logging
import PostgresNIO

/// Products in PostgreSQL. Prices travel as integer cents (`price * 100`), never as floats.
public struct ProductRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// One page of products, by id.
    public func list(limit: Int, offset: Int) async throws -> [Product] {
        try await self.products(
            "SELECT id, name, (price * 100)::bigint, stock, is_active, \(Self.times) FROM product ORDER BY id LIMIT \(limit) OFFSET \(offset)"
        )
    }

    /// Every product, for the in-process cache.
    public func all() async throws -> [Product] {
        try await self.products(
            "SELECT id, name, (price * 100)::bigint, stock, is_active, \(Self.times) FROM product ORDER BY id"
        )
    }

    public func product(id: Int) async throws -> Product? {
        try await self.products(
            "SELECT id, name, (price * 100)::bigint, stock, is_active, \(Self.times) FROM product WHERE id = \(id)"
        ).first
    }

    /// Inserts a product unless one with its name exists; returns whether it inserted.
    @discardableResult
    public func insertIfAbsent(name: String, price: Cents, stock: Int?) async throws -> Bool {
        let rows = try await self.client.query(
            """
            INSERT INTO product (name, price, stock) VALUES (\(name), \(price.description)::numeric, \(stock))
            ON CONFLICT (name) DO NOTHING RETURNING id
            """,
            logger: self.logger
        )
        var inserted = false
        for try await _ in rows { inserted = true }
        return inserted
    }

    private static let times =
        "(extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint"

    private func products(_ sql: String) async throws -> [Product] {
        let rows = try await self.client.query(PostgresQuery(unsafeSQL: sql), logger: self.logger)
        var products: [Product] = []
        for try await (id, name, cents, stock, isActive, created, updated) in rows.decode(
            (Int, String, Int64, Int?, Bool, Int64, Int64).self
        ) {
            products.append(
                Product(
                    id: id,
                    name: name,
                    price: Cents(cents),
                    stock: stock,
                    isActive: isActive,
                    createdAt: created,
                    updatedAt: updated
                )
            )
        }
        return products
    }
}
