import AsyncHTTPClient
import Foundation

/// Makes many guest carts of a few lines each through the API and keeps their cookies, for
/// the memory figure (bytes per hot cart) and for reads spread over many carts.
public struct CartFill: Sendable {
    public let baseURL: String
    public let carts: Int
    public let lines: Int
    public let concurrency: Int

    public init(baseURL: String, carts: Int, lines: Int = 5, concurrency: Int = 64) {
        self.baseURL = baseURL
        self.carts = carts
        self.lines = lines
        self.concurrency = concurrency
    }

    /// The session cookies (`name=value`) of the carts made; throws when any add failed.
    public func run(client: HTTPClient) async throws -> [String] {
        let products = try await Catalog.load(from: self.baseURL, client: client).products
        let next = RequestBudget(self.carts)
        return try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<self.concurrency {
                group.addTask {
                    var cookies: [String] = []
                    var recorder = Recorder()
                    recorder.isMeasuring = false
                    var made = 0
                    while next.take() {
                        var session = HTTPSession(client: client, baseURL: self.baseURL)
                        for line in 0..<self.lines {
                            let product = products[(worker + made + line * 7) % products.count]
                            let answer = await session.add(
                                productID: product.id,
                                quantity: 1,
                                endpoint: "fill",
                                into: &recorder
                            )
                            guard let answer, answer.status == 201 else {
                                throw LoadError.setup("filling carts: an add answered \(answer?.status ?? 0)")
                            }
                        }
                        made += 1
                        if let cookie = session.cookie { cookies.append(cookie) }
                    }
                    return cookies
                }
            }
            var all: [String] = []
            for try await cookies in group { all += cookies }
            return all
        }
    }
}
