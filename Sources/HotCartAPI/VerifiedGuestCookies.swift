import Synchronization

/// Guest session cookie values whose signature held, each with what it presents (the session
/// and the `Set-Cookie` field that renews it), so a returning guest's cookie costs one lookup
/// rather than an HMAC check (with three allocations), a session and a header string on every
/// request.
///
/// Only values that verified are kept, so a client cannot fill it with forgeries; it is
/// emptied when it holds `capacity` of them, which bounds its memory (about 400 bytes a value).
final class VerifiedGuestCookies: Sendable {
    private let presented = Mutex<[String: GuestSessionCookies.Presented]>([:])
    private let capacity: Int

    init(capacity: Int = 4_096) {
        self.capacity = capacity
    }

    /// What a value that verified before presents, if it is still kept.
    subscript(value: String) -> GuestSessionCookies.Presented? {
        self.presented.withLock { $0[value] }
    }

    /// Keeps what a value that verified presents.
    func remember(_ value: String, presenting presented: GuestSessionCookies.Presented) {
        self.presented.withLock { kept in
            if kept.count >= self.capacity { kept.removeAll(keepingCapacity: true) }
            kept[value] = presented
        }
    }

    /// How many values are kept.
    var count: Int { self.presented.withLock { $0.count } }
}
