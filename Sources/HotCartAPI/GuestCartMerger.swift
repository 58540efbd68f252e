import CartDomain
import CartStore
import HTTPTypes
import Hummingbird
import Logging

/// Merges the guest cart a request's cookie names into the signed-in user's cart, then
/// rotates the guest session: the answer carries a new cookie and the old one reaches
/// nothing. Used by `POST /cart/merge` and by login. `ENABLE_CART_MERGE=false` turns it off.
struct GuestCartMerger: Sendable {
    let store: RedisCartStore
    let cookies: GuestSessionCookies
    let enabled: Bool

    /// The merge for `POST /cart/merge`: the user cart with a warning per capped line (and for
    /// a guest promotion code the user cart did not take), and the rotated cookie when the
    /// request named a guest session.
    func merge(
        guest: CartSession?,
        into user: CartSession,
        ifMatch: CartVersionPrecondition?
    ) async throws -> (cart: Cart, warnings: [CartWarning], rotated: HTTPField?) {
        guard let guest else { return (try await self.store.cart(of: user, ifMatch: ifMatch), [], nil) }
        let outcome = try await self.store.merge(guest: guest, into: user, ifMatch: ifMatch)
        var warnings = outcome.warnings.map { CartWarning($0, in: outcome.cart) }
        if let code = outcome.promoCodeNotTaken, let kept = outcome.cart.promoCode {
            warnings.append(
                CartWarning(
                    code: "PROMO_CODE_NOT_MERGED",
                    message: "The guest cart's code \(code) was not applied: the cart keeps its code \(kept)",
                    productID: nil,
                    itemID: nil
                )
            )
        }
        return (outcome.cart, warnings, self.cookies.fresh().setCookie)
    }

    /// The merge at login: best effort (a login never fails because Redis did); the rotated
    /// cookie, or `nil` when there was no guest session or the merge could not run.
    func mergeOnLogin(_ request: Request, into user: CartSession, logger: Logger) async -> HTTPField? {
        guard self.enabled, let guest = self.cookies.presented(in: request) else { return nil }
        do {
            _ = try await self.store.merge(guest: guest.session, into: user)
            return self.cookies.fresh().setCookie
        } catch {
            logger.warning(
                "guest cart not merged at login; POST /cart/merge can retry it",
                metadata: ["error": "\(error)"]
            )
            return nil
        }
    }
}

extension CartWarning {
    /// The warning for a guest line the user cart could not take in full; it names the user
    /// cart's line when the cart has one for the product.
    init(_ warning: RedisCartStore.MergeWarning, in cart: Cart) {
        let limit =
            switch warning.reason {
            case .quantityCapped: "the per-line limit"
            case .cartLimitReached: "the cart limit"
            case .insufficientStock: "the units in stock"
            }
        self.init(
            code: warning.reason.rawValue,
            message: "Product \(warning.productID): kept \(warning.kept) of \(warning.requested) units (\(limit))",
            productID: warning.productID,
            itemID: cart.items.contains { $0.id == warning.itemID } ? warning.itemID : nil
        )
    }
}
