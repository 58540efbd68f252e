import CartDomain
import Foundation
import Testing

@Suite struct RandomIDTests {
    @Test func idsAreLowercaseVersion4UUIDsAndDistinct() {
        let ids = (0..<1000).map { _ in RandomID.uuid() }
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(50) {
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "4")
            #expect("89ab".contains(Array(id)[19]))
        }
    }
}

@Suite struct TimeOrderedIDTests {
    @Test func idsAreLowercaseVersion7UUIDsThatStartWithTheirTime() {
        let milliseconds: Int64 = 1_764_140_000_123  // 2025-11-26T06:53:20.123Z
        let ids = (0..<1000).map { _ in RandomID.timeOrderedUUID(milliseconds: milliseconds) }
        // 74 random bits: a thousand ids of the same millisecond are still distinct.
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(50) {
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "7")
            #expect("89ab".contains(Array(id)[19]))
            let time = id.replacingOccurrences(of: "-", with: "").prefix(12)
            #expect(Int64(time, radix: 16) == milliseconds)
        }
    }

    @Test func anIdMadeLaterSortsAfterAnEarlierOne() {
        let earlier = RandomID.timeOrderedUUID(milliseconds: 1_764_140_000_123)
        let later = RandomID.timeOrderedUUID(milliseconds: 1_764_140_000_124)
        let muchLater = RandomID.timeOrderedUUID(milliseconds: 4_102_444_800_000)  // 2100
        #expect(earlier < later)
        #expect(later < muchLater)
    }
}
