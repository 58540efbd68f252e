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
