import CartDomain
import Foundation
import Promotions

/// The promotion fields of a CartResponse: the code the cart holds and its discount (the
/// response subtracts it from the subtotal it shows), from the cart as read in one step and
/// the code's rules as last cached.
///
/// The discount is a function of the cart's lines and the code's rules, so every answer
/// shows the discount of exactly the cart it shows. A cart whose code gives nothing now
/// (subtotal under the minimum, code expired, inactive, used up or deleted) keeps the code,
/// with a discount of 0 and a warning saying why.
struct CartPricing {
    var promoCode: String?
    var discount: Cents = .zero
    var warning: CartWarning?

    /// `now` (milliseconds since 1970) is read only for a cart that holds a code: a cart
    /// without one, most of them, costs nothing here.
    init(cart: Cart, promotions: PromoCodeCache, now: Int64? = nil) {
        self.promoCode = cart.promoCode
        guard let held = cart.promoCode else { return }
        guard promotions.isLoaded else {
            self.warning = CartWarning(
                code: "PROMO_NOT_APPLIED",
                message:
                    "The terms of promotion code '\(held)' cannot be read right now; the discount shows when they can",
                productID: nil,
                itemID: nil
            )
            return
        }
        guard let code = promotions.code(held) else {
            self.warning = CartWarning(PromoRefusal.unknown(held))
            return
        }
        let subtotal = cart.subtotal
        if let refusal = code.refusal(subtotal: subtotal, now: now ?? Self.now()) {
            self.warning = CartWarning(refusal)
            return
        }
        self.discount = code.discount(on: subtotal)
    }

    /// Milliseconds since 1970.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension CartWarning {
    /// Why the cart's promotion code gives no discount.
    init(_ refusal: PromoRefusal) {
        self.init(code: "PROMO_NOT_APPLIED", message: refusal.message, productID: nil, itemID: nil)
    }
}
