import CartDomain
import Testing

@Suite struct CartErrorTests {
    @Test func everyKindHasTheContractStatusAndName() {
        let expected: [CartError.Kind: (Int, String)] = [
            .invalidQuantity: (400, "INVALID_QUANTITY"), .productNotFound: (404, "PRODUCT_NOT_FOUND"),
            .itemNotFound: (404, "ITEM_NOT_FOUND"), .cartLimitExceeded: (409, "CART_LIMIT_EXCEEDED"),
            .invalidRequest: (400, "INVALID_REQUEST"), .authRequired: (401, "AUTH_REQUIRED"),
            .rateLimited: (429, "RATE_LIMITED"), .versionConflict: (412, "VERSION_CONFLICT"),
            .productUnavailable: (409, "PRODUCT_UNAVAILABLE"), .serviceUnavailable: (503, "SERVICE_UNAVAILABLE"),
            .forbidden: (403, "FORBIDDEN"), .promoInvalid: (400, "PROMO_INVALID"),
            .checkoutConflict: (409, "CHECKOUT_CONFLICT"), .notFound: (404, "NOT_FOUND"),
        ]
        for kind in CartError.Kind.allCases {
            #expect(kind.status == expected[kind]?.0)
            #expect(kind.name == expected[kind]?.1)
        }
        let codes: [String] = CartError.Kind.allCases.map(\.rawValue)
        #expect(
            codes == [
                "CART_001", "CART_002", "CART_003", "CART_004", "CART_005", "CART_006", "CART_007", "CART_008",
                "CART_009", "CART_010", "CART_011", "CART_012", "CART_013", "CART_014",
            ]
        )
    }

    @Test func anExcerptKeepsShortInputAndCutsLongInputTo40Characters() {
        #expect(CartError.excerpt("SAVE10") == "SAVE10")
        #expect(CartError.excerpt(String(repeating: "é", count: 40)) == String(repeating: "é", count: 40))
        #expect(CartError.excerpt(String(repeating: "x", count: 41)) == String(repeating: "x", count: 40) + "…")
        let refusal = PromoRefusal.expired(String(repeating: "y", count: 99))
        #expect(refusal.message == "Promotion code '\(String(repeating: "y", count: 40))…' has expired")
    }

    @Test func anOversizedBodyIsInvalidRequestWith413() {
        #expect(CartError.bodyTooLarge.kind == .invalidRequest)
        #expect(CartError.bodyTooLarge.status == 413)
    }
}
