import CartDomain
import Foundation
import Testing

@Suite struct CartItemIDTests {
    @Test func uuidTextOfEitherCaseReadsAndWritesLowercase() throws {
        let id = try #require(CartItemID(uuid: "019ABF3C-5a1e-7C4D-9e2f-0B6A1D3C8E47"))
        #expect(id.high == 0x019a_bf3c_5a1e_7c4d && id.low == 0x9e2f_0b6a_1d3c_8e47)
        #expect(id.description == "019abf3c-5a1e-7c4d-9e2f-0b6a1d3c8e47")
        #expect(id.withText { String(decoding: $0, as: UTF8.self) } == id.description)
    }

    @Test func onlyUUIDTextIsAnId() {
        for bad in [
            "", "not-a-uuid", "1ae94ae3-43ce-4a69-99e9-ee449028f81", "1ae94ae3-43ce-4a69-99e9-ee449028f8100",
            "1ae94ae3x43ce-4a69-99e9-ee449028f810", "1ae94ae3-43ce-4a69-99e9-ee449028f81g",
            "1ae94ae343ce-4a69-99e9-ee449028f810-", "-1ae94ae3-43ce-4a69-99e9-ee449028f81",
        ] {
            #expect(CartItemID(uuid: bad) == nil, "\(bad)")
        }
    }

    @Test func agreesWithFoundationOnRandomUUIDs() throws {
        for _ in 0..<200 {
            let uuid = UUID()
            let id = try #require(CartItemID(uuid: uuid.uuidString))
            #expect(id.description == uuid.uuidString.lowercased())
            #expect(withUnsafeBytes(of: uuid.uuid, CartItemID.init(bytes:)) == id)
            #expect(id.withBytes(Array.init) == withUnsafeBytes(of: uuid.uuid, Array.init))
        }
    }

    @Test func aLineIdNamesItsProductAndOrdersByTime() throws {
        let id = CartItemID.line(of: 1306, milliseconds: 1_795_956_963_000)
        #expect(id.productID == 1306)
        #expect(id.description.hasPrefix("01a22760-76b8-8") && id.description.hasSuffix("0000051a"))
        #expect(Array(id.description)[14] == "8" && "89ab".contains(Array(id.description)[19]))  // version 8, RFC 9562
        #expect(CartItemID.line(of: Int(Int32.max), milliseconds: 0).productID == Int(Int32.max))
        #expect(CartItemID.line(of: 1, milliseconds: 1000) < CartItemID.line(of: 999, milliseconds: 1001))
        // Ids of another version (a line made before ids named their product) name none.
        let older = try #require(CartItemID(uuid: "019abf3c-5a1e-7c4d-9e2f-0b6a1d3c8e47"))
        #expect(older.productID == nil)
        #expect(try #require(CartItemID(uuid: UUID().uuidString)).productID == nil)
    }

    @Test func linesMadeTogetherOrderAsTheirProductsCame() {
        for _ in 0..<50 {
            let products = (0..<100).map { _ in Int.random(in: 1...Int(Int32.max)) }
            let ids = CartItemID.lines(of: products, milliseconds: 1_795_956_963_000)
            #expect(ids == ids.sorted())
            #expect(ids.map(\.productID) == products)
            #expect(Set(ids).count == ids.count)
        }
    }

    @Test func idsOrderAsTheirTexts() throws {
        let ids = (0..<200).map { _ in CartItemID(high: .random(in: 0...3), low: .random(in: .min ... .max)) }
        #expect(ids.sorted().map(\.description) == ids.map(\.description).sorted())
    }
}
