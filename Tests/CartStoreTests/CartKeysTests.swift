import CartDomain
import CartStore
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
}
