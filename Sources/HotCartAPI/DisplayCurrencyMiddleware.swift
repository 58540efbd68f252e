import CartDomain
import Currencies
import Hummingbird

/// Reads `?currency=` on the cart routes: a currency of `CART_CURRENCIES` with a rate set is
/// the request's display currency; anything else is 400 CART_005 (field `currency`) before
/// the handler runs, so a refused request changes nothing. Without the parameter (or with the
/// base currency) answers are in the base currency.
struct DisplayCurrencyMiddleware: RouterMiddleware {
    typealias Context = CartRequestContext

    let base: String
    let offered: Set<String>
    let rates: CurrencyRateCache

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.uri.query != nil, let requested = request.uri.queryParameters["currency"] else {
            return try await next(request, context)
        }
        let code = requested.uppercased()
        guard self.offered.contains(code) else {
            throw CartError.invalidRequest(
                "Currency '\(CartError.excerpt(requested))' is not offered; use one of \(self.offered.sorted().joined(separator: ", "))",
                field: "currency"
            )
        }
        guard code != self.base else { return try await next(request, context) }
        try self.rates.requireLoaded()
        guard let rate = self.rates.rate(code) else {
            throw CartError.invalidRequest("No exchange rate is set for \(code)", field: "currency")
        }
        var context = context
        context.displayCurrency = rate.currency
        return try await next(request, context)
    }
}
