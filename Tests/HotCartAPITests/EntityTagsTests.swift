import Foundation
import Testing

@testable import HotCartAPI

/// `If-Match` and `If-None-Match` are read as RFC 9110's lists of entity tags, exactly as the
/// OpenAPI document's pattern for `If-Match` describes them.
@Suite struct EntityTagsTests {
    @Test func tagsAreReadWithoutQuotesOrWeaknessAndOnlyVersionsNameVersions() throws {
        let tags = try #require(EntityTags([#""3", W/"4" ,"a,b", 5"#, #"  "99999999999999999999""#]))
        #expect(!tags.isAny)
        #expect(tags.tags == ["3", "4", "a,b", "5", "99999999999999999999"])
        #expect(tags.versions == [3, 4, 5])
        #expect(try #require(EntityTags(["*"])).isAny)
        #expect(try #require(EntityTags([#", "7","#])).versions == [7])
    }

    /// Every sample is read exactly when the documented pattern admits it, so a client sending
    /// what the document allows is answered 2xx or 412, and anything else 400.
    @Test(arguments: [
        #""3""#, #""3", "4""#, "*", #"W/"7""#, "7", #""abc""#, #"W/"""#, #""a,b""#, #" , "3" ,"#, "W/7",
        "abc", "{}", "j", #""3" "4""#, "", "  ", #""3"#, "W/", ",", #""é""#, "*7", "-1", #""a b""#,
    ])
    func aFieldIsReadExactlyWhenTheDocumentedPatternAdmitsIt(value: String) throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OperationsController.openAPIDocument)) as? [String: Any]
        )
        let components = try #require(document["components"] as? [String: Any])
        let parameters = try #require(components["parameters"] as? [String: [String: Any]])
        let schema = try #require(parameters["IfMatch"]?["schema"] as? [String: Any])
        let pattern = try #require(schema["pattern"] as? String)
        let admitted = value.range(of: pattern, options: .regularExpression) != nil
        #expect((EntityTags([value]) != nil) == admitted)
    }
}
