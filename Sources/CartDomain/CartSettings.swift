/// The cart rules one deployment runs with, read once from configuration.
public struct CartSettings: Sendable, Hashable {
    public var limits: CartLimits
    /// Guest cart inactivity expiry, in milliseconds (sliding).
    public var guestTTLMilliseconds: Int64
    /// Cart mutations allowed per owner per minute; 0 turns the limit off.
    public var mutationsPerMinute: Int
    public var currency: String

    public init(
        limits: CartLimits = CartLimits(),
        guestTTLDays: Int = 7,
        mutationsPerMinute: Int = 600,
        currency: String = "USD"
    ) {
        self.limits = limits
        self.guestTTLMilliseconds = Int64(guestTTLDays) * 86_400_000
        self.mutationsPerMinute = mutationsPerMinute
        self.currency = currency
    }
}
