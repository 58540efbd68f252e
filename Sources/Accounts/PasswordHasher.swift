import HummingbirdBcrypt
import NIOPosix

/// bcrypt password hashes (hummingbird-auth), computed on NIO's thread pool so no event loop
/// or cooperative thread ever spends the hashing time.
public struct PasswordHasher: Sendable {
    /// bcrypt's cost: 12 as FastAPI-Users' default; tests lower it to stay fast.
    public let cost: UInt8
    /// A hash of nothing anyone knows, checked when an email is unknown so that a login
    /// takes as long for an unknown email as for a wrong password (no account enumeration).
    private let decoyHash: String

    public init(cost: UInt8 = 12) {
        self.cost = cost
        self.decoyHash = Bcrypt.hash("hotcart decoy password", cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash (unknown account) it checks the decoy
    /// and answers `false`, taking the same time.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let decoy = self.decoyHash
        return try await NIOThreadPool.singleton.runIfActive {
            let matches = Bcrypt.verify(password, hash: hash ?? decoy)
            return hash != nil && matches
        }
    }
}
