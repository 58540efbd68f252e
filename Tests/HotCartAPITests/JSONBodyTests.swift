import NIOCore
import Testing

@testable import HotCartAPI

@Suite struct JSONBodyTests {
    @Test(arguments: [
        (#"{"product_id": 1, "quantity": 1,}"#, true),
        ("[1, 2,\n]", true),
        (#"{"items": [{"id": "a", "quantity": 1},]}"#, true),
        (#"{"a": "back\\", "b": [1,]}"#, true),
        (#"{"product_id": 1, "quantity": 1}"#, false),
        (#"{"code": "A,}", "note": ",]"}"#, false),
        (#"{"code": "say \",}\" twice"}"#, false),
        (#"{"a": [1, 2] , "b": {}}"#, false),
        ("", false),
    ])
    func aCommaBeforeACloseOutsideStringsIsFound(body: String, expected: Bool) {
        #expect(JSONBody.hasTrailingComma(ByteBuffer(string: body)) == expected)
    }
}
