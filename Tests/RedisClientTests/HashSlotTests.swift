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
