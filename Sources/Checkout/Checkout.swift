import CartDomain

/// A cart handed to payment: its lines at the prices checked when it was made, the stock (and
/// promotion use) they hold, and how long the hold lasts.
public struct Checkout: Sendable, Hashable {
    /// Where a checkout is in its life. Only `reserved` holds stock; the others are final.
    public enum Status: String, Sendable, Hashable {
        case reserved, completed, cancelled, expired
    }

    /// Lowercase UUID.
    public var id: String
    public var cartID: String
    /// The key of the cart owner (``CartOwner/key``): only that owner sees the checkout.
    public var ownerKey: String
    /// The guest session reference of the cart, for the cart that takes back its lines.
    public var sessionReference: String?
    public var status: Status
    public var items: [CartItem]
    public var subtotal: Cents
    public var discount: Cents
    public var total: Cents
    public var currency: String
    public var promoCode: String?
    /// Milliseconds since 1970.
    public var reservedUntil: Int64
    public var createdAt: Int64
    public var updatedAt: Int64
    /// Whether a cancelled or expired checkout's lines are back in the owner's cart.
    public var linesReturned: Bool

    /// The owner as a cart session (the cart a cancelled checkout's lines go back to).
    public var ownerSession: CartSession? {
        if self.ownerKey.hasPrefix("u:") {
            return CartSession(owner: .user(id: String(self.ownerKey.dropFirst(2))))
        }
        if self.ownerKey.hasPrefix("g:") {
            return CartSession(
                owner: .guest(sessionID: String(self.ownerKey.dropFirst(2))),
                reference: self.sessionReference
            )
        }
        return nil
    }
}

/// A cart that cannot be checked out as it is: empty, or a line whose product is gone,
/// inactive or at another price than the line's snapshot. `products` is the catalog as the
/// checkout saw it (a product missing from it is deleted), for the validation shown to the
/// shopper.
public struct CheckoutConflict: Error, Sendable {
    public var cart: Cart
    public var products: [Int: ProductSnapshot]
}
