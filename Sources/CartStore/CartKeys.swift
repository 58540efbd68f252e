import CartDomain

/// Where one cart lives in Redis.
///
/// Carts are spread over a fixed number of write-behind shards; a cart's hash, its shard's
/// write-behind stream and its rate-limit counter share the hash tag `{<shard>}`, so every
/// script touches one Redis Cluster slot and appending to the queue stays in the cart's slot.
public struct CartKeys: Sendable, Hashable {
    /// Write-behind shards; fixed for the life of the data (changing it moves carts).
    public static let shardCount = 64

    public let shard: Int
    public let cart: String
    public let writeBehindStream: String
    /// The owner's counter of changes this minute (only the scripts need it).
    public var rateLimit: String { "\(self.tag):rate:\(self.ownerKey)" }
    private let tag: String
    private let ownerKey: String

    public init(owner: CartOwner) {
        let ownerKey = owner.key
        self.shard = Self.shard(of: ownerKey)
        self.tag = "hc:{\(self.shard)}"
        self.ownerKey = ownerKey
        self.cart = "\(self.tag):cart:\(ownerKey)"
        self.writeBehindStream = Self.writeBehindStream(shard: self.shard)
    }

    /// The remembered answer to the owner's request with an Idempotency-Key (`scopedKey` names
    /// the route and the key); `nil` gives the empty record name the scripts read as "no key".
    public func idempotencyRecord(_ scopedKey: String?) -> String {
        guard let scopedKey else { return "\(self.tag):idem:" }
        return "\(self.tag):idem:\(self.ownerKey)|\(scopedKey)"
    }

    /// Marks that the merge or copy `changeID` was applied to this owner's cart, so it is
    /// applied once. Named by the owner too: two owners may send the same Idempotency-Key.
    public func mergeApplied(_ changeID: String) -> String {
        "\(self.tag):merged:\(self.ownerKey)|\(changeID)"
    }

    /// The deny-list entry of one of the owner's access tokens (beside the cart, so a cart
    /// script can check it). A guest's is `…:revoked:` with no id, which is never set.
    public func revokedToken(_ tokenID: String) -> String {
        "\(self.tag):revoked:\(tokenID)"
    }

    /// The write-behind stream of one shard.
    public static func writeBehindStream(shard: Int) -> String {
        "hc:{\(shard)}:wb"
    }

    /// The sharded pub/sub channel on which every change to a cart of `shard` is announced as
    /// `<version> <cart key>` (the scripts' `commit` publishes it, in the cart's slot).
    public static func changeChannel(shard: Int) -> String {
        "hc:{\(shard)}:ev"
    }

    /// The owner of the cart stored under `cartKey` (`hc:{<shard>}:cart:<owner key>`).
    public static func owner(ofCartKey cartKey: String) -> CartOwner? {
        // Standard-library scanning: Foundation's `range(of:)` bridges through `NSString` on
        // Linux and was 3 % of the flusher's CPU, which asks this of every changed cart.
        guard let tagEnd = cartKey.firstIndex(of: "}") else { return nil }
        let afterTag = cartKey[cartKey.index(after: tagEnd)...]
        guard afterTag.hasPrefix(":cart:") else { return nil }
        let ownerKey = afterTag.dropFirst(":cart:".count)
        if ownerKey.hasPrefix("g:") { return .guest(sessionID: String(ownerKey.dropFirst(2))) }
        if ownerKey.hasPrefix("u:") { return .user(id: String(ownerKey.dropFirst(2))) }
        return nil
    }

    /// FNV-1a over the owner key: stable across processes and releases.
    static func shard(of ownerKey: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ownerKey.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(hash % UInt64(shardCount))
    }
}
