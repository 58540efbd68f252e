/// Who a cart belongs to: a guest session or a signed-in user. One active cart per owner.
public enum CartOwner: Sendable, Hashable {
    /// A guest, identified by the random id inside the signed session cookie.
    case guest(sessionID: String)
    /// A registered user, by user id (lowercase UUID).
    case user(id: String)

    /// A stable text form, unique across both kinds (`g:…` or `u:…`).
    public var key: String {
        switch self {
        case .guest(let sessionID): "g:" + sessionID
        case .user(let id): "u:" + id
        }
    }

    public var userID: String? {
        if case .user(let id) = self { id } else { nil }
    }
}
