/// An account, as FastAPI-Users stores and shows it.
public struct User: Sendable, Hashable {
    /// Lowercase UUID; the `sub` of the user's access tokens and the owner of the user's cart.
    public var id: String
    public var email: String
    public var username: String?
    public var hashedPassword: String
    public var isActive: Bool
    public var isSuperuser: Bool
    public var isVerified: Bool

    public init(
        id: String,
        email: String,
        username: String?,
        hashedPassword: String,
        isActive: Bool = true,
        isSuperuser: Bool = false,
        isVerified: Bool = false
    ) {
        self.id = id
        self.email = email
        self.username = username
        self.hashedPassword = hashedPassword
        self.isActive = isActive
        self.isSuperuser = isSuperuser
        self.isVerified = isVerified
    }
}
