import Foundation
import HTTPTypes
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HotCartAPI

/// `GET /`, `GET /ops` and `GET /pages/{file}`: the pages as files (the browser tests in
/// Tests/Browser drive them).
@Suite struct PagesTests {
    @Test func theStorefrontAndTheOperatorPageAreServedWithTheirFiles() async throws {
        try await withTestApp { client, _ async throws in
            let store = try await client.execute(uri: "/", method: .get)
            #expect(store.status == .ok)
            #expect(store.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: store.body).contains("<title>HotCart storefront</title>"))
            #expect(store.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
            let ops = try await client.execute(uri: "/ops", method: .get)
            #expect(String(buffer: ops.body).contains("<title>HotCart operations</title>"))
            for (file, type) in [
                ("store.js", "text/javascript"), ("ops.js", "text/javascript"), ("api.js", "text/javascript"),
                ("pages.css", "text/css"),
            ] {
                let answer = try await client.execute(uri: "/pages/\(file)", method: .get)
                #expect(answer.status == .ok, "\(file)")
                #expect(answer.headers[.contentType] == "\(type); charset=utf-8")
            }
            #expect(try await client.execute(uri: "/pages/missing.js", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/pages/..%2FPackage.swift", method: .get).status == .notFound)
        }
    }

    /// Nothing is loaded from another host: every page file names only its own server's paths.
    @Test func thePagesLoadNothingFromAnotherHost() throws {
        #expect(PagesController.files.count >= 5)
        for (name, file) in PagesController.files {
            let text = String(buffer: file.bytes)
            for pattern in [#"(src|href)="(https?:)?//"#, #"fetch\(\s*["'`]https?:"#, #"@import"#] {
                #expect(text.range(of: pattern, options: .regularExpression) == nil, "\(name) matches \(pattern)")
            }
        }
    }

    @Test func aCartAnswerVariesByWhoAsks() async throws {
        try await withTestApp { client, _ async throws in
            let guest = Browser(client)
            let answer = try await guest.send(.get, "/cart")
            #expect(answer.headers[.vary] == "Authorization, Cookie")
            #expect(answer.headers[.eTag] != nil)
        }
    }
}
