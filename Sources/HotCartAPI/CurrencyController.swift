import CartDomain
import Currencies
import Foundation
import Hummingbird

/// Display currencies: `GET /currencies/` (public) lists the offered currencies and their
/// rates, then any other currency given a rate (not offered until `CART_CURRENCIES` names it);
/// `PUT /currencies/{code}` `{"rate"}` sets one (superusers). A rate is units of that
/// currency per unit of the base currency, kept to 10 decimals; carts see a change within a
/// second (the rate cache's reload), this process at once.
struct CurrencyController {
    let repository: CurrencyRateRepository
    let cache: CurrencyRateCache
    let base: String
    let offered: [String]
    let authenticator: Authenticator

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get(use: self.list)
        group.put("{code}", use: self.set)
    }

    /// Every offered currency, in `CART_CURRENCIES`' order: the base at rate 1, the others at
    /// their rate (`null` until set); then every other currency with a rate, by code.
    @Sendable func list(request: Request, context: CartRequestContext) async throws -> Response {
        let others = self.cache.rates.filter { !self.offered.contains($0.currency.code) }
        var writer = JSONWriter(capacity: 64 + (self.offered.count + others.count) * 112)
        writer.beginArray()
        for code in self.offered {
            let rate = self.cache.rate(code)
            let currency =
                code == self.base ? DisplayCurrency(code: code, scaledRate: DisplayCurrency.rateScale) : rate?.currency
            self.write(code: code, currency: currency, updatedAt: rate?.updatedAt, into: &writer)
        }
        for rate in others {
            self.write(code: rate.currency.code, currency: rate.currency, updatedAt: rate.updatedAt, into: &writer)
        }
        writer.endArray()
        return writer.response()
    }

    @Sendable func set(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let code = (context.parameters.get("code") ?? "").uppercased()
        guard DisplayCurrency.isWellFormed(code) else {
            throw CartError.invalidRequest("code must be an ISO 4217 code such as EUR", field: "code")
        }
        guard code != self.base else {
            throw CartError(.invalidRequest, "The base currency \(code) always has rate 1", field: "code", status: 409)
        }
        struct Body: Decodable {
            var rate: Decimal
        }
        let body = try await JSONBody.decode(Body.self, from: request)
        var scaled = body.rate * Decimal(DisplayCurrency.rateScale)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        // The integer read from the decimal's digits: `NSDecimalNumber.int64Value` goes through
        // a Double and is wrong above 2^53.
        guard rounded == scaled, body.rate > 0, body.rate <= 1_000_000, let scaledRate = Int64(rounded.description),
            scaledRate > 0
        else {
            throw CartError.invalidRequest(
                "rate must be a number above 0 and at most 1000000, with at most 10 decimals",
                field: "rate"
            )
        }
        let stored = try await self.repository.set(code, scaledRate: scaledRate)
        try? await self.cache.refresh()
        var writer = JSONWriter(capacity: 128)
        self.write(code: code, currency: stored.currency, updatedAt: stored.updatedAt, into: &writer)
        return writer.response()
    }

    /// `{"code", "rate", "minor_units", "offered", "updated_at"}`.
    private func write(
        code: String,
        currency: DisplayCurrency?,
        updatedAt: Int64?,
        into writer: inout JSONWriter
    ) {
        writer.beginObject()
        writer.key("code")
        writer.string(code)
        writer.key("rate")
        if let currency {
            writer.money(minor: currency.scaledRate, minorUnits: 10)
        } else {
            writer.null()
        }
        writer.key("minor_units")
        writer.integer(DisplayCurrency.minorUnits(of: code))
        writer.key("offered")
        writer.bool(self.offered.contains(code))
        writer.key("updated_at")
        writer.timestamp(milliseconds: updatedAt)
        writer.endObject()
    }
}
