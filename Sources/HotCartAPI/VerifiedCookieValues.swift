import Synchronization

/// Guest session cookie values whose signature held, with the session id each names, so a
/// returning guest's cookie is verified once per process rather than on every request: the
/// lookup costs a fraction of the HMAC and its copies (three allocations).
///
/// Only values that verified are kept, so a client cannot fill it with forgeries; it is
/// emptied when it holds `capacity` of them, which bounds its memory (about 200 bytes a value).
final class VerifiedCookieValues: Sendable {
    private let sessions = Mutex<[String: String]>([:])
    private let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The session id of a value that verified before, if it is still kept.
    func sessionID(for value: String) -> String? {
        self.sessions.withLock { $0[value] }
    }

    /// Keeps a value that verified.
    func remember(_ value: String, sessionID: String) {
        self.sessions.withLock { sessions in
            if sessions.count >= self.capacity { sessions.removeAll(keepingCapacity: true) }
            sessions[value] = sessionID
        }
    }

    /// How many values are kept.
    var count: Int { self.sessions.withLock { $0.count } }
}
