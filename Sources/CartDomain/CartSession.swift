/// Who a cart request is for, as the API resolved it.
public struct CartSession: Sendable, Hashable {
    public var owner: CartOwner
    /// The opaque guest-session reference a cart reports as `session_id`; `nil` for users.
    public var reference: String?
    /// A session minted by this very request: it can have no cart anywhere yet, so a missing
    /// cart is created without looking in PostgreSQL.
    public var isNew: Bool
    /// The id of the access token that authenticated a user request; a cart step refuses it
    /// once the token is revoked (logged out).
    public var tokenID: String?

    public init(owner: CartOwner, reference: String? = nil, isNew: Bool = false, tokenID: String? = nil) {
        self.owner = owner
        self.reference = reference
        self.isNew = isNew
        self.tokenID = tokenID
    }
}
