import HotCartTestSupport
import Testing

@testable import RedisClient

@Suite struct HashSlotTests {
    @Test func crc16IsXmodem() {
        // The check value of CRC-16/XMODEM, as in the cluster specification's reference code.
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
    }

    @Test func slotsMatchRedisClusterKeyslot() {
        // Values from `CLUSTER KEYSLOT` on Redis 7.
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of("bar") == 5061)
        #expect(HashSlot.of("") == 0)
    }

    @Test func onlyANonEmptyHashTagIsHashed() {
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("user1000"))
        // An empty first tag: the whole key is hashed.
        #expect(HashSlot.of("foo{}{bar}") == Int(HashSlot.crc16(Array("foo{}{bar}".utf8)) % 16_384))
        #expect(HashSlot.of("foo{}{bar}") != HashSlot.of("bar"))
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"))
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
    }
}

/// Against the local Redis Cluster: the client's slots are the cluster's.
@Suite struct HashSlotClusterTests {
    @Test func everySlotMatchesClusterKeyslot() async throws {
        try await TestEnvironment.withRedis(TestEnvironment.cluster) { redis async throws in
            var keys = ["", "foo", "{}", "{a}b", "a{}b", "x{y}{z}", "ünïcödé", "hc:{63}:wb"]
            for index in 0..<300 {
                keys.append("hc:{\(index % 64)}:cart:g:\(TestEnvironment.uniqueID())")
                keys.append("key-\(index)-\(TestEnvironment.uniqueID())")
            }
            for key in keys {
                let slot = try await redis.send(["CLUSTER", "KEYSLOT", key]).int
                #expect(slot == HashSlot.of(key), "\(key)")
            }
        }
    }
}
