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

@Suite struct KernelRandomNumberGeneratorTests {
    @Test func wordsAreDistinctAcrossRefillsAndUseEveryBit() {
        var generator = KernelRandomNumberGenerator()
        // 1,000 words span 32 refills of the 256-byte buffer.
        let words = (0..<1000).map { _ in generator.next() }
        #expect(Set(words).count == 1000)
        #expect(words.reduce(0, |) == .max)
        #expect(words.reduce(.max, &) == 0)
    }

    @Test func tasksDrawingAtOnceNeverShareAWord() async {
        let drawn = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var generator = KernelRandomNumberGenerator()
                    return (0..<2000).map { _ in generator.next() }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(drawn.count == 16_000)
        #expect(Set(drawn).count == 16_000)
    }

    @Test func tokensAreBase64URLOfTheirLengthAndDiffer() {
        let tokens = (0..<1000).map { _ in RandomID.token(bytes: 16) }
        #expect(Set(tokens).count == 1000)
        #expect(tokens.allSatisfy { $0.utf8.count == 22 })
        #expect(RandomID.token(bytes: 5).utf8.count == 7)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(tokens.allSatisfy { $0.allSatisfy(alphabet.contains) })
    }
}
