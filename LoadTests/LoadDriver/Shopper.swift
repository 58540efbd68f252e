import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// A cart at the end of a shopper's visit: its id and the units of each product it must
/// hold, for the check against PostgreSQL once the flusher is idle.
public struct FinishedCart: Sendable {
    public var id: String
    public var quantities: [Int: Int]
}

/// A virtual storefront shopper: its own session (cookie, later a bearer token), the model of
/// what its cart must hold, and the actions of the mix. Every cart answer is checked against
/// the model; a difference is recorded as a mismatch and the model starts again from the
/// server's cart, so one fault is reported once.
struct Shopper {
    private var session: HTTPSession
    private var model: CartModel
    private let catalog: Catalog
    private let email: String
    private var isSignedIn = false
    private var generator = SystemRandomNumberGenerator()

    init(client: HTTPClient, baseURL: String, catalog: Catalog, limits: CartModel.Limits, email: String) {
        self.session = HTTPSession(client: client, baseURL: baseURL)
        self.model = CartModel(limits: limits)
        self.catalog = catalog
        self.email = email
    }

    mutating func perform(_ action: ShopperAction, recorder: inout Recorder) async {
        switch action {
        case .browse:
            let offset = Int.random(in: 0..<max(1, self.catalog.products.count - 20), using: &self.generator)
            let answer = await self.session.send(
                .GET,
                "/products/?limit=20&offset=\(offset)",
                endpoint: "GET /products/",
                into: &recorder
            )
            self.expectOK(answer, "GET /products/", recorder: &recorder)
        case .view:
            let product = self.randomProduct()
            let answer = await self.session.send(
                .GET,
                "/products/\(product.id)",
                endpoint: "GET /products/{id}",
                into: &recorder
            )
            self.expectOK(answer, "GET /products/\(product.id)", recorder: &recorder)
        case .add:
            let product = self.randomProduct()
            let quantity = Int.random(in: 1...3, using: &self.generator)
            let expected = self.model.predictAdd(product, quantity: quantity)
            let answer = await self.session.add(productID: product.id, quantity: quantity, into: &recorder)
            await self.check(answer, expected, "add \(quantity) of product \(product.id)", recorder: &recorder) {
                $0.add(product: product.id, quantity: quantity)
            }
        case .change:
            guard let (product, itemID) = self.randomLine() else {
                return await self.perform(.add, recorder: &recorder)
            }
            let quantity =
                Int.random(in: 0..<10, using: &self.generator) == 0 ? 0 : Int.random(in: 1...5, using: &self.generator)
            guard let listed = self.catalog[product] else { return await self.perform(.add, recorder: &recorder) }
            let expected = self.model.predictSet(listed, quantity: quantity)
            let answer = await self.session.send(
                .PUT,
                "/cart/items/\(itemID)",
                json: #"{"quantity": \#(quantity)}"#,
                endpoint: "PUT /cart/items/{id}",
                into: &recorder
            )
            await self.check(answer, expected, "set product \(product) to \(quantity)", recorder: &recorder) {
                $0.set(product: product, quantity: quantity)
            }
        case .remove:
            guard let (product, itemID) = self.randomLine() else {
                return await self.perform(.add, recorder: &recorder)
            }
            let answer = await self.session.send(
                .DELETE,
                "/cart/items/\(itemID)",
                endpoint: "DELETE /cart/items/{id}",
                into: &recorder
            )
            await self.check(answer, .changed(created: false), "remove product \(product)", recorder: &recorder) {
                $0.remove(product: product)
            }
        case .read:
            let answer = await self.session.send(.GET, "/cart", endpoint: "GET /cart", into: &recorder)
            await self.check(answer, .changed(created: false), "read the cart", recorder: &recorder) { _ in }
        case .summary:
            let answer = await self.session.send(.GET, "/cart/summary", endpoint: "GET /cart/summary", into: &recorder)
            self.checkSummary(answer, recorder: &recorder)
        case .login:
            guard !self.isSignedIn else { return await self.perform(.read, recorder: &recorder) }
            await self.signUpAndLogIn(recorder: &recorder)
        }
    }

    /// Adds one unit of `product` when the model says the cart takes it, checking only the
    /// status (the benchmark's add); `false`, sending nothing, when the cart is full.
    mutating func add(_ product: CatalogProduct, recorder: inout Recorder) async -> Bool {
        guard case .changed(let created) = self.model.predictAdd(product, quantity: 1) else { return false }
        let answer = await self.session.add(productID: product.id, quantity: 1, into: &recorder)
        guard let answer else { return false }
        if answer.status == 429 { return true }
        guard answer.status == (created ? 201 : 200) else {
            recorder.mismatch(
                "\(self.email): add 1 of product \(product.id): expected \(created ? 201 : 200), got \(answer.status)"
            )
            await self.resynchronize(recorder: &recorder)
            return true
        }
        self.model.add(product: product.id, quantity: 1)
        return true
    }

    /// `GET /cart`, checking only the status (the benchmark's read; `finish` checks the lines);
    /// with `cookie`, the cart of that session instead of the shopper's own.
    mutating func readWithoutDecoding(as cookie: String? = nil, recorder: inout Recorder) async {
        var session = self.session
        if let cookie { session.cookie = cookie }
        let answer = await session.send(.GET, "/cart", endpoint: "GET /cart", into: &recorder)
        if let answer, answer.status != 200 { recorder.mismatch("\(self.email): GET /cart answered \(answer.status)") }
    }

    /// Reads the cart once more (not measured), reports any difference and returns the cart
    /// for the PostgreSQL check.
    mutating func finish(recorder: inout Recorder) async -> FinishedCart? {
        let measuring = recorder.isMeasuring
        recorder.isMeasuring = false
        defer { recorder.isMeasuring = measuring }
        let answer = await self.session.send(.GET, "/cart", endpoint: "GET /cart", into: &recorder)
        guard let answer, answer.status == 200, let cart = CartSnapshot(json: answer.body) else {
            recorder.mismatch("\(self.email): the closing read of the cart failed (status \(answer?.status ?? 0))")
            return nil
        }
        if let difference = self.model.difference(from: cart, catalog: self.catalog) {
            recorder.mismatch("\(self.email): closing read: \(difference)")
        }
        return FinishedCart(id: cart.id, quantities: self.model.quantities)
    }

    private mutating func signUpAndLogIn(recorder: inout Recorder) async {
        let password = "load-test-password"
        let registered = await self.session.send(
            .POST,
            "/auth/register",
            json: #"{"email": "\#(self.email)", "password": "\#(password)"}"#,
            endpoint: "POST /auth/register",
            into: &recorder
        )
        guard registered?.status == 201 else {
            recorder.mismatch("\(self.email): register answered \(registered?.status ?? 0), expected 201")
            return
        }
        let loggedIn = await self.session.send(
            .POST,
            "/auth/jwt/login",
            form:
                "username=\(self.email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&password=\(password)",
            endpoint: "POST /auth/jwt/login",
            into: &recorder
        )
        struct Token: Decodable { var access_token: String }
        guard let loggedIn, loggedIn.status == 200,
            let token = try? JSONDecoder().decode(Token.self, from: loggedIn.body)
        else {
            recorder.mismatch("\(self.email): login answered \(loggedIn?.status ?? 0), expected 200")
            return
        }
        self.session.token = token.access_token
        self.isSignedIn = true
        // The guest cart was merged into the new user's empty cart: the same lines, new item ids.
        let answer = await self.session.send(.GET, "/cart", endpoint: "GET /cart", into: &recorder)
        await self.check(answer, .changed(created: false), "read the cart after the login merge", recorder: &recorder) {
            _ in
        }
    }

    /// Checks an answer against the model's prediction and applies the change when it succeeded.
    private mutating func check(
        _ answer: HTTPSession.Answer?,
        _ expected: CartModel.Outcome,
        _ what: String,
        recorder: inout Recorder,
        apply: (inout CartModel) -> Void
    ) async {
        guard let answer else { return await self.resynchronize(recorder: &recorder) }
        if answer.status == 429 && answer.code == "CART_007" { return }  // rate limited: nothing changed
        switch expected {
        case .changed(let created):
            let status = created ? 201 : 200
            guard answer.status == status, let cart = CartSnapshot(json: answer.body) else {
                recorder.mismatch(
                    "\(self.email): \(what): expected \(status), got \(answer.status) \(answer.code ?? "")"
                )
                return await self.resynchronize(recorder: &recorder)
            }
            apply(&self.model)
            self.model.learnItemIDs(from: cart)
            if let difference = self.model.difference(from: cart, catalog: self.catalog) {
                recorder.mismatch("\(self.email): \(what): \(difference)")
                self.model.resynchronize(with: cart)
            }
        case .refused(let codes):
            guard let code = answer.code, codes.contains(code), (400..<500).contains(answer.status) else {
                recorder.mismatch(
                    "\(self.email): \(what): expected \(codes.sorted().joined(separator: " or ")), got \(answer.status) \(answer.code ?? "")"
                )
                return await self.resynchronize(recorder: &recorder)
            }
        }
    }

    private func expectOK(_ answer: HTTPSession.Answer?, _ what: String, recorder: inout Recorder) {
        if let answer, answer.status != 200 { recorder.mismatch("\(self.email): \(what): got \(answer.status)") }
    }

    private func checkSummary(_ answer: HTTPSession.Answer?, recorder: inout Recorder) {
        struct Summary: Decodable {
            var total_items: Int
            var subtotal: Double
        }
        guard let answer, answer.status != 429 else { return }
        guard answer.status == 200, let summary = try? JSONDecoder().decode(Summary.self, from: answer.body) else {
            return recorder.mismatch("\(self.email): summary: got \(answer.status)")
        }
        let subtotal = self.model.subtotalCents(in: self.catalog)
        if summary.total_items != self.model.units || cents(summary.subtotal) != subtotal {
            recorder.mismatch(
                "\(self.email): summary: expected \(self.model.units) units / \(subtotal) cents, got \(summary.total_items) / \(cents(summary.subtotal))"
            )
        }
    }

    /// Takes the server's cart as the model again (not measured).
    private mutating func resynchronize(recorder: inout Recorder) async {
        let measuring = recorder.isMeasuring
        recorder.isMeasuring = false
        defer { recorder.isMeasuring = measuring }
        let answer = await self.session.send(.GET, "/cart", endpoint: "GET /cart", into: &recorder)
        if let answer, answer.status == 200, let cart = CartSnapshot(json: answer.body) {
            self.model.resynchronize(with: cart)
        }
    }

    private mutating func randomProduct() -> CatalogProduct {
        self.catalog.products.randomElement(using: &self.generator)!
    }

    private mutating func randomLine() -> (product: Int, itemID: String)? {
        guard let (product, itemID) = self.model.itemIDs.randomElement(using: &self.generator) else { return nil }
        return (product, itemID)
    }
}
