import CartDomain
import Foundation
import Promotions

/// The promotion fields of a CartResponse: the code the cart holds, its discount and the
/// total, from the cart as read in one step and the code's rules as last cached.
///
/// The discount is a function of the cart's lines and the code's rules, so every answer
/// shows the discount of exactly the cart it shows. A cart whose code gives nothing now
/// (subtotal under the minimum, code expired, inactive, used up or deleted) keeps the code,
/// with a discount of 0 and a warning saying why.
struct CartPricing {
    var promoCode: String?
    var discount: Cents
    var total: Cents
    var warning: CartWarning?

    init(cart: Cart, promotions: PromoCodeCache, now: Int64 = Self.now()) {
        let subtotal = cart.subtotal
        self.promoCode = cart.promoCode
        self.discount = .zero
        self.total = subtotal
        guard let held = cart.promoCode else { return }
        guard let code = promotions.code(held) else {
            self.warning = CartWarning(PromoRefusal.unknown(held))
            return
        }
        if let refusal = code.refusal(subtotal: subtotal, now: now) {
            self.warning = CartWarning(refusal)
            return
        }
        self.discount = code.discount(on: subtotal)
        self.total = subtotal - self.discount
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
