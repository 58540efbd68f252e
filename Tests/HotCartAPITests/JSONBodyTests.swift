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
        #expect(JSONBody.hasLenientForm(ByteBuffer(string: body)) == expected)
    }

    @Test(arguments: [
        ("01", true), ("-01", true), ("00", true), ("1.", true), ("1.e5", true), ("1e", true), ("1e+", true),
        ("-", true), ("1.5.5", true), ("1e5e5", true), ("1-2", true), ("2+", true),
        ("0", false), ("-0", false), ("10", false), ("1.50", false), ("0.5", false), ("1e5", false),
        ("1E-5", false), ("-2.5e+10", false), ("99", false),
    ])
    func aNumberIsWrittenAsJSONHasIt(number: String, lenient: Bool) {
        #expect(JSONBody.hasLenientForm(ByteBuffer(string: #"{"quantity": \#(number)}"#)) == lenient)
        #expect(JSONBody.hasLenientForm(ByteBuffer(string: "[\(number),1]")) == lenient)
        // Inside a string it is text.
        #expect(!JSONBody.hasLenientForm(ByteBuffer(string: #"{"code": "\#(number)"}"#)))
    }
}
