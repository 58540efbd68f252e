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

    @Test func idsOrderAsTheirTexts() throws {
        let ids = (0..<200).map { _ in CartItemID(high: .random(in: 0...3), low: .random(in: .min ... .max)) }
        #expect(ids.sorted().map(\.description) == ids.map(\.description).sorted())
    }
}
