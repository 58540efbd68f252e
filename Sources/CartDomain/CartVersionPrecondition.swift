/// An `If-Match` precondition on a cart change: the change goes ahead only while the cart is at
/// one of `versions`. With none (the request named no version at all) it never does, so a tag
/// that is not a cart version is a mismatch like a stale one.
public struct CartVersionPrecondition: Sendable, Hashable {
    public var versions: [Int64]

    public init(versions: [Int64]) {
        self.versions = versions
    }

    /// Met only at `version`.
    public init(_ version: Int64) {
        self.versions = [version]
    }

    /// Whether a cart at `version` meets it.
    public func isMet(by version: Int64) -> Bool {
        self.versions.contains(version)
    }
}
