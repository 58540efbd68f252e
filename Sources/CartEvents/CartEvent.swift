/// One cart event of the outbox, as stored.
public struct CartEvent: Sendable, Hashable {
    /// Lowercase UUID; the `X-HotCart-Delivery` header of its webhook.
    public var id: String
    /// `cart.abandoned`, `cart.expired` or `cart.converted`.
    public var type: String
    public var cartID: String
    public var userID: String?
    public var email: String?
    /// The lines, as JSON (`[{"product_id", "product_name", "quantity", "unit_price"}]`).
    public var itemsJSON: String
    /// The subtotal in cents.
    public var subtotalCents: Int64
    /// Milliseconds since 1970.
    public var occurredAt: Int64
    /// `pending`, `delivered` or `failed`.
    public var status: String
    public var attempts: Int
    public var deliveredAt: Int64?
}
