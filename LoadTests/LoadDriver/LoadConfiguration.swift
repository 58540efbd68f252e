import Foundation

/// How a load run is driven.
public struct LoadConfiguration: Sendable {
    /// The server under test; loopback only (`http://127.0.0.1:…`, `http://localhost:…`).
    public var baseURL: String
    /// Concurrent shoppers (each one request at a time, on its own connection).
    public var concurrency = 64
    /// How long the measured part runs.
    public var duration: Duration = .seconds(15)
    /// Stop after this many measured requests, if it comes first.
    public var requestLimit: Int?
    /// Requests before measuring starts (connections made, caches warm).
    public var warmup: Duration = .seconds(2)
    /// Pause of each shopper between two actions (0: full load).
    public var thinkTime: Duration = .zero
    public var mix: ShopperMix = .storefront
    /// Actions before a shopper leaves and a new one (a new session) takes its place.
    public var actionsPerShopper = 200
    public var limits = CartModel.Limits()
    /// For `get-cart`: session cookies of existing carts; each read picks one at random
    /// (reads spread over many hot carts). Empty: each shopper reads its own 5-line cart.
    public var cookies: [String] = []
    /// Prints the progress line on standard error every second.
    public var showsProgress = true

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// Why the target is refused, or `nil`: load is only ever sent to this machine.
    public static func problem(with url: String) -> String? {
        guard let components = URLComponents(string: url), components.scheme == "http",
            let host = components.host
        else { return "the target must be an http:// URL" }
        guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            return "the target must be on loopback (127.0.0.1 or localhost), not \(host)"
        }
        return nil
    }
}
