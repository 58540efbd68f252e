import CartDomain

/// Where a cart missing from Redis is looked up before a new one is made (read-through):
/// PostgreSQL, behind the write-behind flusher.
public protocol DurableCartSource: Sendable {
    /// The session's active, unexpired cart as last persisted, or `nil` when it has none.
    /// Throws when the durable store cannot answer (the caller must not invent a new cart).
    func activeCart(of session: CartSession, now: Int64) async throws -> Cart?
}
