/// A promotion code's rules, as carts apply them.
public struct PromoCode: Sendable, Hashable {
    /// What the code takes off the subtotal.
    public enum Reduction: Sendable, Hashable {
        /// 1 to 100 percent of the subtotal, rounded half-up to the cent.
        case percent(Int)
        /// A fixed amount, never more than the subtotal.
        case amount(Cents)
    }

    /// The code as it was created; codes match whatever their case.
    public var code: String
    public var reduction: Reduction
    /// The smallest subtotal the code applies to.
    public var minimumSubtotal: Cents
    /// How many checkouts may use the code; `nil` for no limit.
    public var maximumUses: Int?
    /// Uses taken by checkouts (reserved or completed).
    public var uses: Int
    /// The window the code is valid in, milliseconds since 1970; `nil` for open-ended.
    public var startsAt: Int64?
    public var expiresAt: Int64?
    public var isActive: Bool
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        code: String,
        reduction: Reduction,
        minimumSubtotal: Cents = .zero,
        maximumUses: Int? = nil,
        uses: Int = 0,
        startsAt: Int64? = nil,
        expiresAt: Int64? = nil,
        isActive: Bool = true,
        createdAt: Int64 = 0,
        updatedAt: Int64 = 0
    ) {
        self.code = code
        self.reduction = reduction
        self.minimumSubtotal = minimumSubtotal
        self.maximumUses = maximumUses
        self.uses = uses
        self.startsAt = startsAt
        self.expiresAt = expiresAt
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The key codes are matched by: the code in lower case.
    public static func key(_ code: String) -> String { code.lowercased() }

    /// What the code takes off `subtotal`: a percentage rounded half-up to the cent, or the
    /// fixed amount; never more than the subtotal, and nothing below the minimum subtotal.
    public func discount(on subtotal: Cents) -> Cents {
        guard subtotal.value > 0, subtotal >= self.minimumSubtotal else { return .zero }
        switch self.reduction {
        case .percent(let percent):
            return Cents(min(subtotal.value, (subtotal.value * Int64(percent) + 50) / 100))
        case .amount(let amount):
            return min(amount, subtotal)
        }
    }

    /// Why no cart may take the code at `now` (milliseconds since 1970), whatever its
    /// subtotal, or `nil` when it is usable: inactive, not started, expired or used up.
    public func unavailability(now: Int64) -> PromoRefusal? {
        if !self.isActive { return .inactive(self.code) }
        if let startsAt = self.startsAt, now < startsAt { return .notStarted(self.code) }
        if let expiresAt = self.expiresAt, now >= expiresAt { return .expired(self.code) }
        if let maximumUses = self.maximumUses, self.uses >= maximumUses { return .exhausted(self.code) }
        return nil
    }

    /// Why a cart with `subtotal` gets no discount from the code at `now`, or `nil`.
    public func refusal(subtotal: Cents, now: Int64) -> PromoRefusal? {
        if let reason = self.unavailability(now: now) { return reason }
        if subtotal < self.minimumSubtotal { return .belowMinimum(self.code, minimum: self.minimumSubtotal) }
        return nil
    }
}

/// Why a cart may not take a promotion code; each reason has its own message.
public enum PromoRefusal: Error, Sendable, Hashable {
    case unknown(String)
    case inactive(String)
    case notStarted(String)
    case expired(String)
    case exhausted(String)
    case belowMinimum(String, minimum: Cents)

    public var message: String {
        let quoted = "Promotion code '\(CartError.excerpt(self.code))'"
        return switch self {
        case .unknown: "\(quoted) does not exist"
        case .inactive: "\(quoted) is not active"
        case .notStarted: "\(quoted) is not valid yet"
        case .expired: "\(quoted) has expired"
        case .exhausted: "\(quoted) has no uses left"
        case .belowMinimum(_, let minimum): "\(quoted) needs a subtotal of at least \(minimum.description)"
        }
    }

    /// The code as the shopper sent it.
    public var code: String {
        switch self {
        case .unknown(let code), .inactive(let code), .notStarted(let code), .expired(let code),
            .exhausted(let code), .belowMinimum(let code, _):
            code
        }
    }
}
