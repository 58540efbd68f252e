/// Who a cart request is for, as the API resolved it.
public struct CartSession: Sendable {
    public var owner: CartOwner
    /// The opaque guest-session reference a cart reports as `session_id`; `nil` for users.
    /// Worked out when asked for: only a step that may create the cart needs it (a cart keeps
    /// its own), so reading a known cart never pays for it.
    public var reference: String? { self.makeReference?() }
    private let makeReference: (@Sendable () -> String)?
    /// A session minted by this very request: it can have no cart anywhere yet, so a missing
    /// cart is created without looking in PostgreSQL.
    public var isNew: Bool
    /// The id of the access token that authenticated a user request; a cart step refuses it
    /// once the token is revoked (logged out).
    public var tokenID: String?

    public init(owner: CartOwner, reference: String? = nil, isNew: Bool = false, tokenID: String? = nil) {
        self.owner = owner
        self.makeReference = reference.map { reference in { @Sendable in reference } }
        self.isNew = isNew
        self.tokenID = tokenID
    }

    /// A guest session whose reference `makeReference` works out, each time it is needed.
    public init(owner: CartOwner, makeReference: @escaping @Sendable () -> String, isNew: Bool) {
        self.owner = owner
        self.makeReference = makeReference
        self.isNew = isNew
        self.tokenID = nil
    }
}
