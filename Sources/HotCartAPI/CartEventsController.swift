import CartDomain
import CartStore
import HTTPTypes
import Hummingbird
import NIOCore
import Promotions
import RedisClient
import ServiceLifecycle

/// `GET /cart/events`: the caller's cart as Server-Sent Events, at connect and after every
/// change, whichever server process made it (``CartChangeFeed``).
///
/// Each event is `event: cart`, `id: <version>`, data `{"version", "total_items", "subtotal",
/// "total"}` in the request's display currency. A client that comes back with `Last-Event-ID`
/// equal to the cart's version gets no repeat of what it has. A comment line keeps the stream
/// open every keep-alive interval. The stream ends when the client goes, when shutdown begins,
/// or at the first keep-alive after ``lifetime`` (an EventSource reconnects by itself, with
/// `Last-Event-ID`).
struct CartEventsController {
    let store: RedisCartStore
    let feed: CartChangeFeed
    let promotions: PromoCodeCache
    let lifetime: Duration

    private static let lastEventID = HTTPField.Name("Last-Event-ID")!
    private static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get("events", use: self.stream)
    }

    @Sendable func stream(request: Request, context: CartRequestContext) async throws -> Response {
        let session = try context.requireSession()
        // Refusals (no room for another stream, Redis down, a revoked token) are answered as
        // errors, before the stream starts. The watch starts first, so no change is missed.
        let watch = try self.feed.watch(session.owner)
        let cart = try await self.store.cart(of: session)
        let resumedVersion = request.headers[Self.lastEventID].flatMap { Int64($0) }
        let display = MoneyDisplay(currency: context.displayCurrency)
        // `X-Accel-Buffering: no` keeps a reverse proxy (nginx) in front from holding events back.
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", Self.accelBuffering: "no",
        ]
        let body = ResponseBody { writer in
            try? await request.body.consumeWithInboundCloseHandler { _ in
                try await withGracefulShutdownHandler {
                    // Checked at each signal (keep-alives come every few seconds): no timer per stream.
                    let endOfLife = ContinuousClock.now + self.lifetime
                    var shown = resumedVersion.map { (cartID: cart.id, version: $0) }
                    var cart = cart
                    var signals = watch.signals.makeAsyncIterator()
                    // Whether a change was heard while the cart could not be read.
                    var behind = false
                    while true {
                        if shown?.cartID != cart.id || shown?.version != cart.version {
                            try await writer.write(self.event(cart, display: display))
                            shown = (cart.id, cart.version)
                        }
                        let signal = await signals.next()
                        guard ContinuousClock.now < endOfLife else { return }
                        switch signal {
                        case .keepAlive:
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            // Read again at each beat until it can be, so the change is shown.
                            if behind { (cart, behind) = try await self.refreshed(cart, of: session) }
                        case .changed:
                            (cart, behind) = try await self.refreshed(cart, of: session)
                        case nil:
                            return
                        }
                    }
                } onGracefulShutdown: {
                    watch.stop()
                }
            } onInboundClosed: {
                watch.stop()
            }
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The cart as it is now, or `cart` and `behind` while Redis cannot answer for it: out of
    /// reach, or answering with errors (`LOADING` while it reads its data back after a restart,
    /// `BUSY` behind a long script). The stream stays open either way.
    private func refreshed(_ cart: Cart, of session: CartSession) async throws -> (Cart, behind: Bool) {
        do {
            return (try await self.store.cart(of: session), false)
        } catch let error as CartError where error.kind == .serviceUnavailable {
            return (cart, true)
        } catch is RedisError {
            return (cart, true)
        }
    }

    /// One `cart` event: the cart's version and totals as the stream's request asked to see them.
    private func event(_ cart: Cart, display: MoneyDisplay) -> ByteBuffer {
        var data = JSONWriter(capacity: 96)
        let subtotal = display.subtotal(of: cart.items)
        let discount = display.discount(
            CartPricing(cart: cart, promotions: self.promotions).discount,
            subtotal: subtotal
        )
        data.beginObject()
        data.key("version")
        data.integer(cart.version)
        data.key("total_items")
        data.integer(cart.totalQuantity)
        data.key("subtotal")
        display.write(subtotal, into: &data)
        data.key("total")
        display.write(subtotal - discount, into: &data)
        data.endObject()
        var event = ByteBuffer(string: "event: cart\nid: \(cart.version)\ndata: ")
        event.writeImmutableBuffer(data.buffer)
        event.writeString("\n\n")
        return event
    }
}
