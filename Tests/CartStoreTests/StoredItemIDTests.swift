import CartDomain
import Testing

@testable import CartStore

@Suite struct StoredItemIDTests {
    @Test func aUUIDIsStoredIn22CharactersAndComesBackAsLowercaseText() throws {
        let uuid = "1AE94AE3-43CE-4A69-99E9-EE449028F810"
        let stored = try #require(StoredItemID.stored(uuid))
        #expect(stored.utf8.count == 22)
        #expect(StoredItemID.uuid(stored.utf8) == uuid.lowercased())
    }

    @Test func onlyUUIDTextIsAccepted() {
        for bad in [
            "", "not-a-uuid", "1ae94ae3-43ce-4a69-99e9-ee449028f81", "1ae94ae3x43ce-4a69-99e9-ee449028f810",
            "1ae94ae3-43ce-4a69-99e9-ee449028f81g",
        ] {
            #expect(StoredItemID.stored(bad) == nil)
        }
    }

    @Test func newIdsAreTimeOrderedUUIDsAndDistinct() throws {
        let milliseconds: Int64 = 1_764_140_000_123
        let ids = (0..<1000).map { _ in StoredItemID.uuid(StoredItemID.new(milliseconds: milliseconds).utf8) }
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(20) {
            let characters = Array(id)
            #expect(characters.count == 36 && characters[14] == "7")
            #expect("89ab".contains(characters[19]))
            #expect(Int64(String(id.filter { $0 != "-" }.prefix(12)), radix: 16) == milliseconds)
        }
    }

    @Test func aLineWrittenWithTheLongFormKeepsItsId() {
        let legacy = "1ae94ae3-43ce-4a69-99e9-ee449028f810"
        #expect(StoredItemID.uuid(legacy.utf8) == legacy)
    }
}

@Suite struct CartLineTests {
    @Test func aLineReadsItsShortIdAndBase36TimesAndALongFormLineStillReads() throws {
        let stored = try #require(StoredItemID.stored("1ae94ae3-43ce-4a69-99e9-ee449028f810"))
        let milliseconds: Int64 = 1_795_640_112_694
        let short = try CartItem(
            line: "\(stored)|3|1999|\(String(milliseconds, radix: 36))|\(String(milliseconds + 5, radix: 36))|Mug",
            productID: 7
        )
        #expect(short.id == "1ae94ae3-43ce-4a69-99e9-ee449028f810")
        #expect(short.createdAt == milliseconds && short.updatedAt == milliseconds + 5)
        #expect(short.quantity == 3 && short.unitPrice == Cents(1999) && short.productName == "Mug")
        let long = try CartItem(
            line: "1ae94ae3-43ce-4a69-99e9-ee449028f810|1|5|\(milliseconds)|\(milliseconds)|A|B",
            productID: 7
        )
        #expect(long.createdAt == milliseconds && long.productName == "A|B")
    }
}
