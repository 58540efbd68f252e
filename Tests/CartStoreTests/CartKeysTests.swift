import CartDomain
import CartStore
import RedisClient
import Testing

@Suite struct CartKeysTests {
    @Test func everyKeyOfACartSharesOneHashTag() {
        let keys = CartKeys(owner: .guest(sessionID: "abc"))
        let tag = "{\(keys.shard)}"
        #expect([keys.cart, keys.writeBehindStream, keys.rateLimit].allSatisfy { $0.contains(tag) })
        #expect(keys.cart.hasSuffix(":cart:g:abc"))
    }

    @Test func theShardIsStableAndInRange() {
        let shards = (0..<1000).map { CartKeys(owner: .user(id: "user-\($0)")).shard }
        #expect(shards.allSatisfy { (0..<CartKeys.shardCount).contains($0) })
        #expect(Set(shards).count == CartKeys.shardCount)
        #expect(CartKeys(owner: .guest(sessionID: "x")).shard == CartKeys(owner: .guest(sessionID: "x")).shard)
    }

    @Test func aCartKeyNamesItsOwnerAndAnyOtherKeyNone() {
        for owner: CartOwner in [.guest(sessionID: "s:1}x"), .user(id: "0193b0f2-7c1e-7000-8000-000000000001")] {
            #expect(CartKeys.owner(ofCartKey: CartKeys(owner: owner).cart) == owner)
        }
        let keys = CartKeys(owner: .guest(sessionID: "abc"))
        for other in [keys.writeBehindStream, keys.rateLimit, "hc:{3}:cart:x:abc", "hc:{3}:cart", "cart:g:abc", ""] {
            #expect(CartKeys.owner(ofCartKey: other) == nil)
        }
    }
}

@Suite struct CartKeySlotTests {
    /// Every key one cart script may touch lives in one Redis Cluster slot, for any owner.
    @Test func everyKeyAScriptTouchesIsInTheCartsSlot() {
        for index in 0..<2000 {
            let owner: CartOwner = index % 2 == 0 ? .guest(sessionID: "session-\(index)") : .user(id: "user-\(index)")
            let keys = CartKeys(owner: owner)
            let slot = HashSlot.of(keys.cart)
            let touched = [
                keys.writeBehindStream, keys.rateLimit, keys.revokedToken("jti-\(index)"), keys.revokedToken(""),
                keys.idempotencyRecord("POST /cart/items k\(index)"), keys.idempotencyRecord(nil),
                keys.mergeApplied("merge-\(index)"),
            ]
            #expect(touched.allSatisfy { HashSlot.of($0) == slot })
        }
    }
}
