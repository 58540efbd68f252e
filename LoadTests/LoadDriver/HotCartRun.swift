import AsyncHTTPClient
import Foundation

/// Hundreds of concurrent tasks hammering one cart, then an exact check of what it holds.
///
/// Every task adds one unit of one of five products, `adds` times, all sharing one guest
/// session. Each successful add adds exactly one unit, so the cart must hold, per product,
/// exactly as many units as that product's successful adds. Refusals prove the caps were
/// full: a product refused for stock must end at its stock, a per-cart refusal means the cart
/// ends at the cart cap. Any other answer, a 5xx, or a different final cart fails the run.
public struct HotCartRun: Sendable {
    public let baseURL: String
    public let tasks: Int
    public let adds: Int
    public let limits: CartModel.Limits

    public init(baseURL: String, tasks: Int, adds: Int, limits: CartModel.Limits = .init()) {
        self.baseURL = baseURL
        self.tasks = tasks
        self.adds = adds
        self.limits = limits
    }

    /// The outcome: the exact expectations and what the cart held.
    public struct Outcome: Sendable {
        public var result: RunResult
        /// Successful adds per product.
        public var successes: [Int: Int]
        /// Final units per product.
        public var final: [Int: Int]
        public var stock: [Int: Int?]
    }

    public func run(client: HTTPClient) async throws -> Outcome {
        let catalog = try await Catalog.load(from: self.baseURL, client: client)
        let products = Array(catalog.products.sorted { ($0.stock ?? .max) > ($1.stock ?? .max) }.prefix(5))
        var opener = HTTPSession(client: client, baseURL: self.baseURL)
        var setup = Recorder()
        setup.isMeasuring = false
        guard let first = await opener.send(.DELETE, "/cart", endpoint: "setup", into: &setup), first.status == 200,
            let cookie = opener.cookie
        else { throw LoadError.setup("could not open a guest cart (DELETE /cart)") }

        let start = ContinuousClock.now
        let results = await withTaskGroup(of: (Recorder, [Int: Int], [String: Set<Int>]).self) { group in
            for task in 0..<self.tasks {
                group.addTask {
                    var session = HTTPSession(client: client, baseURL: self.baseURL)
                    var recorder = Recorder()
                    var successes: [Int: Int] = [:]
                    var refusals: [String: Set<Int>] = [:]
                    let product = products[task % products.count]
                    for _ in 0..<self.adds {
                        session.cookie = cookie
                        let answer = await session.add(productID: product.id, quantity: 1, into: &recorder)
                        guard let answer else { continue }
                        switch answer.status {
                        case 200, 201: successes[product.id, default: 0] += 1
                        case 400,
                            409 where ["CART_001", "CART_004", "CART_009"].contains(answer.code ?? ""):
                            refusals[answer.code!, default: []].insert(product.id)
                        case 429 where answer.code == "CART_007": break  // rate limited: nothing changed
                        default:
                            recorder.mismatch(
                                "add of product \(product.id): unexpected \(answer.status) \(answer.code ?? "")"
                            )
                        }
                    }
                    return (recorder, successes, refusals)
                }
            }
            var merged = Recorder()
            var successes: [Int: Int] = [:]
            var refusals: [String: Set<Int>] = [:]
            for await (recorder, counted, refused) in group {
                merged.merge(recorder)
                successes.merge(counted, uniquingKeysWith: +)
                refusals.merge(refused) { $0.union($1) }
            }
            return (merged, successes, refusals)
        }
        let elapsed = ContinuousClock.now - start
        var (recorder, successes, refusals) = results

        var reader = HTTPSession(client: client, baseURL: self.baseURL)
        reader.cookie = cookie
        recorder.isMeasuring = false
        guard let answer = await reader.send(.GET, "/cart", endpoint: "GET /cart", into: &recorder),
            let cart = CartSnapshot(json: answer.body)
        else { throw LoadError.setup("could not read the hot cart back") }
        let final = cart.quantities
        for product in products {
            let held = final[product.id] ?? 0
            let added = successes[product.id] ?? 0
            if held != added {
                recorder.mismatch("product \(product.id): \(added) successful adds but the cart holds \(held)")
            }
            if held > self.limits.perLine || held > (product.stock ?? .max) {
                recorder.mismatch("product \(product.id): \(held) units passes a cap")
            }
            // Units are only ever added here, so a refusal means that cap was full then and still is.
            if refusals["CART_009", default: []].contains(product.id), held != product.stock {
                recorder.mismatch(
                    "product \(product.id): refused for stock, yet holds \(held) of \(product.stock ?? 0)"
                )
            }
            if refusals["CART_001", default: []].contains(product.id), held != self.limits.perLine {
                recorder.mismatch("product \(product.id): refused at the line cap, yet holds \(held)")
            }
        }
        if !refusals["CART_004", default: []].isEmpty, cart.totalItems != self.limits.perCart {
            recorder.mismatch("an add was refused at the cart cap, yet the cart holds \(cart.totalItems) units")
        }
        if cart.totalItems > self.limits.perCart {
            recorder.mismatch("the cart holds \(cart.totalItems) units, past the cap of \(self.limits.perCart)")
        }
        if cart.totalItems != final.values.reduce(0, +) {
            recorder.mismatch("total_items \(cart.totalItems) is not the sum of the lines")
        }
        let result = RunResult(
            scenario: "hot-cart",
            recorder: recorder,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            timeline: [],
            finishedCarts: [FinishedCart(id: cart.id, quantities: final)]
        )
        return Outcome(
            result: result,
            successes: successes,
            final: final,
            stock: Dictionary(uniqueKeysWithValues: products.map { ($0.id, $0.stock) })
        )
    }
}
