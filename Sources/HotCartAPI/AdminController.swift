import CartDomain
import CartEvents
import Foundation
import Hummingbird

/// Operator routes, for superusers: `GET /admin/events?status=pending|delivered|failed` lists
/// the newest cart events of the outbox (`limit`, 1 to 1000, default 100);
/// `GET /admin/analytics?from=&to=` reports the cart figures of a window (default the last 7
/// days), 404 when analytics are turned off.
struct AdminController {
    let events: CartEventLog
    let analytics: CartAnalytics
    let analyticsEnabled: Bool
    let authenticator: Authenticator

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get("events", use: self.listEvents)
        group.get("analytics", use: self.report)
    }

    @Sendable func report(request: Request, context: CartRequestContext) async throws -> Response {
        guard self.analyticsEnabled else { throw HTTPError(.notFound) }
        _ = try await self.authenticator.superuser(context)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let to = try Self.instant(request, "to") ?? now
        let from = try Self.instant(request, "from") ?? to - 7 * 86_400_000
        guard from < to else { throw CartError.invalidRequest("from must be before to", field: "from") }
        let report = try await self.analytics.report(from: from, to: to)
        var writer = JSONWriter(capacity: 512 + report.topProducts.count * 128)
        writer.beginObject()
        writer.key("from")
        writer.timestamp(milliseconds: from)
        writer.key("to")
        writer.timestamp(milliseconds: to)
        writer.key("carts_created")
        writer.integer(report.cartsCreated)
        writer.key("carts_converted")
        writer.integer(report.cartsConverted)
        writer.key("carts_abandoned")
        writer.integer(report.cartsAbandoned)
        writer.key("carts_expired")
        writer.integer(report.cartsExpired)
        writer.key("conversion_rate")
        writer.money(minor: Int64((report.conversionRate * 10_000).rounded()), minorUnits: 4)
        writer.key("average_cart_value")
        writer.money(Cents(report.averageCartValueCents))
        writer.key("average_order_value")
        writer.money(Cents(report.averageOrderValueCents))
        writer.key("top_products")
        writer.beginArray()
        for product in report.topProducts {
            writer.beginObject()
            writer.key("product_id")
            writer.integer(product.productID)
            writer.key("product_name")
            writer.string(product.productName)
            writer.key("units_added")
            writer.integer(product.unitsAdded)
            writer.key("units_sold")
            writer.integer(product.unitsSold)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.response()
    }

    /// The query parameter `name` as milliseconds since 1970: an ISO-8601 time, or a date
    /// (its midnight UTC); `nil` when absent, CART_005 when not a time.
    private static func instant(_ request: Request, _ name: String) throws -> Int64? {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        if let instant = Timestamp.milliseconds(iso8601: text, allowingDate: true) { return instant }
        throw CartError.invalidRequest("\(name) must be an ISO-8601 date or time such as 2026-11-01", field: name)
    }

    @Sendable func listEvents(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let status = request.uri.queryParameters["status"].map(String.init)
        if let status, !["pending", "delivered", "failed"].contains(status) {
            throw CartError.invalidRequest("status must be pending, delivered or failed", field: "status")
        }
        let limit = try request.integerQuery("limit", default: 100, range: 1...1000)
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
