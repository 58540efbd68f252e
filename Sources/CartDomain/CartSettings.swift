/// The cart rules one deployment runs with, read once from configuration.
public struct CartSettings: Sendable, Hashable {
    public var limits: CartLimits
    /// Guest cart inactivity expiry, in milliseconds (sliding).
    public var guestTTLMilliseconds: Int64
    /// How long an untouched user cart stays in Redis, in milliseconds (sliding); it stays in
    /// PostgreSQL and comes back on the user's next request.
    public var userIdleMilliseconds: Int64
    /// Cart mutations allowed per owner per minute; 0 turns the limit off.
    public var mutationsPerMinute: Int
    public var currency: String

    public init(
        limits: CartLimits = CartLimits(),
        guestTTLMilliseconds: Int64 = 7 * 86_400_000,
        userIdleMilliseconds: Int64 = 30 * 86_400_000,
        mutationsPerMinute: Int = 600,
        currency: String = "USD"
    ) {
        self.limits = limits
        self.guestTTLMilliseconds = guestTTLMilliseconds
        self.userIdleMilliseconds = userIdleMilliseconds
        self.mutationsPerMinute = mutationsPerMinute
        self.currency = currency
    }
}
