import CartDomain
import CartEvents
import Hummingbird

/// Operator routes: `GET /admin/events?status=pending|delivered|failed` (superusers) lists the
/// newest cart events of the outbox (`limit`, 1 to 1000, default 100).
struct AdminController {
    let events: CartEventLog
    let authenticator: Authenticator

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get("events", use: self.listEvents)
    }

    @Sendable func listEvents(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let status = request.uri.queryParameters["status"].map(String.init)
        if let status, !["pending", "delivered", "failed"].contains(status) {
            throw CartError.invalidRequest("status must be pending, delivered or failed", field: "status")
        }
        var limit = 100
        if let text = request.uri.queryParameters["limit"] {
            guard let number = Int(text), (1...1000).contains(number) else {
                throw CartError.invalidRequest("limit must be a whole number from 1 to 1000", field: "limit")
            }
            limit = number
        }
        let events = try await self.events.events(status: status, limit: limit)
        var writer = JSONWriter(capacity: 64 + events.count * 512)
        writer.beginArray()
        for event in events {
            writer.beginObject()
            writer.key("id")
            writer.string(event.id)
            writer.key("type")
            writer.string(event.type)
            writer.key("cart_id")
            writer.string(event.cartID)
            writer.key("user_id")
            writer.string(event.userID)
            writer.key("email")
            writer.string(event.email)
            writer.key("items")
            writer.json(event.itemsJSON)
            writer.key("subtotal")
            writer.money(Cents(event.subtotalCents))
            writer.key("occurred_at")
            writer.timestamp(milliseconds: event.occurredAt)
            writer.key("status")
            writer.string(event.status)
            writer.key("attempts")
            writer.integer(event.attempts)
            writer.key("delivered_at")
            writer.timestamp(milliseconds: event.deliveredAt)
            writer.endObject()
        }
        writer.endArray()
        return writer.response()
    }
}
