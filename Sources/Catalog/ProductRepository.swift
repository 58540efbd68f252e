import CartDomain
import Database
import Logging
import PostgresNIO

/// Products in PostgreSQL. Prices travel as integer cents (`price * 100`), never as floats.
public struct ProductRepository: Sendable {
    private let client: DatabasePool
    private let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// One page of products, by id.
    public func list(limit: Int, offset: Int) async throws -> [Product] {
        try await self.products(
            "SELECT id, name, (price * 100)::bigint, stock, is_active, \(Self.times) FROM product WHERE deleted_at IS NULL ORDER BY id LIMIT \(limit) OFFSET \(offset)"
        )
    }

    /// Every product not deleted, for the in-process cache.
    public func all() async throws -> [Product] {
        try await self.products(
            "SELECT id, name, (price * 100)::bigint, stock, is_active, \(Self.times) FROM product WHERE deleted_at IS NULL ORDER BY id"
        )
    }

    /// A product not deleted.
    public func product(id: Int) async throws -> Product? {
        try await self.products(
            "SELECT id, name, (price * 100)::bigint, stock, is_active, \(Self.times) FROM product WHERE id = \(id) AND deleted_at IS NULL"
        ).first
    }

    /// What an administrator sets on a product.
    public struct Fields: Sendable, Hashable {
        public var name: String
        public var price: Cents
        public var stock: Int?
        public var isActive: Bool

        public init(name: String, price: Cents, stock: Int?, isActive: Bool) {
            self.name = name
            self.price = price
            self.stock = stock
            self.isActive = isActive
        }
    }

    /// A name already taken by another product (deleted ones keep theirs).
    public struct DuplicateName: Error {}

    /// Creates a product; throws ``DuplicateName`` when the name is taken.
    public func create(_ fields: Fields) async throws -> Product {
        let created = try await self.writing(
            """
            INSERT INTO product (name, price, stock, is_active)
            VALUES (\(fields.name), \(fields.price.description)::numeric, \(fields.stock), \(fields.isActive))
            RETURNING id, name, (price * 100)::bigint, stock, is_active, \(unescaped: Self.times)
            """
        )
        guard let created else { preconditionFailure("INSERT … RETURNING answers with its row") }
        return created
    }

    /// Replaces a product's fields; `nil` when there is no such product.
    public func update(id: Int, _ fields: Fields) async throws -> Product? {
        try await self.writing(
            """
            UPDATE product SET name = \(fields.name), price = \(fields.price.description)::numeric,
                stock = \(fields.stock), is_active = \(fields.isActive), updated_at = now()
            WHERE id = \(id) AND deleted_at IS NULL
            RETURNING id, name, (price * 100)::bigint, stock, is_active, \(unescaped: Self.times)
            """
        )
    }

    /// Deletes a product from the catalog (kept for the carts that name it); whether it existed.
    public func delete(id: Int) async throws -> Bool {
        try await self.writing(
            """
            UPDATE product SET deleted_at = now(), is_active = FALSE, updated_at = now()
            WHERE id = \(id) AND deleted_at IS NULL
            RETURNING id, name, (price * 100)::bigint, stock, is_active, \(unescaped: Self.times)
            """
        ) != nil
    }

    /// A statement that changes a product, committed only for a caller still waiting for it.
    private func writing(_ query: PostgresQuery) async throws -> Product? {
        do {
            return try Self.products(in: try await self.client.rowsCommittedUnlessCancelled(query, logger: self.logger))
                .first
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw DuplicateName()
        }
    }

    /// Inserts a product unless one with its name exists; returns whether it inserted.
    @discardableResult
    public func insertIfAbsent(name: String, price: Cents, stock: Int?) async throws -> Bool {
        let rows = try await self.client.rows(
            """
            INSERT INTO product (name, price, stock) VALUES (\(name), \(price.description)::numeric, \(stock))
            ON CONFLICT (name) DO NOTHING RETURNING id
            """,
            logger: self.logger
        )
        return !rows.isEmpty
    }

    private static let times =
        "(extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint"

    private func products(_ sql: String) async throws -> [Product] {
        try await self.products(PostgresQuery(unsafeSQL: sql))
    }

    private func products(_ query: PostgresQuery) async throws -> [Product] {
        try Self.products(in: try await self.client.rows(query, logger: self.logger))
    }

    private static func products(in rows: [PostgresRow]) throws -> [Product] {
        var products: [Product] = []
        for (id, name, cents, stock, isActive, created, updated) in try rows.decode(
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
