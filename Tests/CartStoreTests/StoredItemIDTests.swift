import CartDomain
import Testing

@testable import CartStore

@Suite struct StoredItemIDTests {
    @Test func anIdIsStoredIn22CharactersAndReadBack() throws {
        let id = try #require(CartItemID(uuid: "1AE94AE3-43CE-4A69-99E9-EE449028F810"))
        let stored = StoredItemID.stored(id)
        #expect(stored.utf8.count == 22)
        #expect(StoredItemID.id(stored.utf8) == id)
        #expect(StoredItemID.id(stored.utf8)?.description == "1ae94ae3-43ce-4a69-99e9-ee449028f810")
    }

    @Test func theExtremeIdsSurviveTheStoredForm() {
        for id in [
            CartItemID(high: 0, low: 0), CartItemID(high: .max, low: .max), CartItemID(high: 1, low: 1 << 63),
        ] {
            #expect(StoredItemID.id(StoredItemID.stored(id).utf8) == id)
        }
    }

    @Test func newIdsAreTimeOrderedUUIDsNamingTheirProductAndDistinct() throws {
        let milliseconds: Int64 = 1_764_140_000_123
        let ids = try (0..<1000).map { _ in
            try #require(StoredItemID.id(StoredItemID.new(productID: 42, milliseconds: milliseconds).utf8))
        }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.productID == 42 })
        for id in ids.prefix(20).map(\.description) {
            let characters = Array(id)
            #expect(characters.count == 36 && characters[14] == "8")
            #expect("89ab".contains(characters[19]))
            #expect(Int64(String(id.filter { $0 != "-" }.prefix(12)), radix: 16) == milliseconds)
        }
    }

    @Test func aLineWrittenWithTheLongFormKeepsItsId() {
        let legacy = "1ae94ae3-43ce-4a69-99e9-ee449028f810"
        #expect(StoredItemID.id(legacy.utf8)?.description == legacy)
    }

    @Test func anythingElseIsNoId() {
        for bad in [
            "", "short", "1ae94ae3-43ce-4a69-99e9-ee449028f81", "AAAAAAAAAAAAAAAAAAAA!A",
            "A" + String(repeating: "x", count: 35),
        ] {
            #expect(StoredItemID.id(bad.utf8) == nil)
        }
    }
}

@Suite struct CartLineTests {
    @Test func aLineReadsItsShortIdAndBase36TimesAndALongFormLineStillReads() throws {
        let id = try #require(CartItemID(uuid: "1ae94ae3-43ce-4a69-99e9-ee449028f810"))
        let milliseconds: Int64 = 1_795_640_112_694
        let short = try CartItem(
            line:
                "\(StoredItemID.stored(id))|3|1999|\(String(milliseconds, radix: 36))|\(String(milliseconds + 5, radix: 36))|Mug",
            productID: 7
        )
        #expect(short.id == id)
        #expect(short.createdAt == milliseconds && short.updatedAt == milliseconds + 5)
        #expect(short.quantity == 3 && short.unitPrice == Cents(1999) && short.productName == "Mug")
        let long = try CartItem(
            line: "1ae94ae3-43ce-4a69-99e9-ee449028f810|1|5|\(milliseconds)|\(milliseconds)|A|B",
            productID: 7
        )
        #expect(long.id == id && long.createdAt == milliseconds && long.productName == "A|B")
    }

    @Test func aLineWithoutAnIdIsRefused() {
        #expect(throws: (any Error).self) { try CartItem(line: "not-an-id|1|5|1|1|Mug", productID: 7) }
    }
}
