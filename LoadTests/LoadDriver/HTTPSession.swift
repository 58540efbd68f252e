import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One client's view of the server: its guest session cookie, its bearer token, and a
/// recorder that times every request it sends.
public struct HTTPSession: Sendable {
    /// An answer: status, body and the error code of an error body.
    public struct Answer: Sendable {
        public var status: Int
        public var body: Data
        public var code: String? {
            guard self.status >= 400 else { return nil }
            struct ErrorBody: Decodable { var code: String? }
            return (try? JSONDecoder().decode(ErrorBody.self, from: self.body))?.code
        }
    }

    let client: HTTPClient
    let baseURL: String
    var cookie: String?
    var token: String?

    init(client: HTTPClient, baseURL: String) {
        self.client = client
        self.baseURL = baseURL
    }

    /// `POST /cart/items` of `quantity` units of `productID`.
    mutating func add(
        productID: Int,
        quantity: Int,
        endpoint: String = "POST /cart/items",
        into recorder: inout Recorder
    ) async -> Answer? {
        await self.send(
            .POST,
            "/cart/items",
            json: #"{"product_id": \#(productID), "quantity": \#(quantity)}"#,
            endpoint: endpoint,
            into: &recorder
        )
    }

    /// Sends one request (10 s timeout), keeps the cookie the answer sets, and records it
    /// under `endpoint`; `nil` when no answer came (recorded as `transport`).
    mutating func send(
        _ method: HTTPMethod,
        _ path: String,
        json: String? = nil,
        form: String? = nil,
        endpoint: String,
        into recorder: inout Recorder
    ) async -> Answer? {
        var request = HTTPClientRequest(url: self.baseURL + path)
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let start = ContinuousClock.now
        do {
            let response = try await self.client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let elapsed = ContinuousClock.now - start
            if let setCookie = response.headers.first(name: "Set-Cookie") {
                self.cookie = String(setCookie.prefix { $0 != ";" })
            }
            let answer = Answer(status: Int(response.status.code), body: Data(buffer: body))
            recorder.record(
                endpoint: endpoint,
                microseconds: UInt64(elapsed / .microseconds(1)),
                status: answer.status,
                code: answer.code
            )
            return answer
        } catch {
            let elapsed = ContinuousClock.now - start
            recorder.record(
                endpoint: endpoint,
                microseconds: UInt64(elapsed / .microseconds(1)),
                status: nil,
                code: nil
            )
            return nil
        }
    }
}
