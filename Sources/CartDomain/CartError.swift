/// A refusal the client can act on, with its contract code, HTTP status, message and field.
///
/// Every failure that reaches a client is one of these; nothing else (no Redis or SQL text)
/// is ever rendered.
public struct CartError: Error, Sendable, Hashable {
    /// The contract's error kinds, CART_001…CART_014.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case invalidQuantity = "CART_001"
        case productNotFound = "CART_002"
        case itemNotFound = "CART_003"
        case cartLimitExceeded = "CART_004"
        case invalidRequest = "CART_005"
        case authRequired = "CART_006"
        case rateLimited = "CART_007"
        case versionConflict = "CART_008"
        case productUnavailable = "CART_009"
        case serviceUnavailable = "CART_010"
        case forbidden = "CART_011"
        case promoInvalid = "CART_012"
        case checkoutConflict = "CART_013"
        case notFound = "CART_014"

        /// The `error` word of the response body.
        public var name: String {
            switch self {
            case .invalidQuantity: "INVALID_QUANTITY"
            case .productNotFound: "PRODUCT_NOT_FOUND"
            case .itemNotFound: "ITEM_NOT_FOUND"
            case .cartLimitExceeded: "CART_LIMIT_EXCEEDED"
            case .invalidRequest: "INVALID_REQUEST"
            case .authRequired: "AUTH_REQUIRED"
            case .rateLimited: "RATE_LIMITED"
            case .versionConflict: "VERSION_CONFLICT"
            case .productUnavailable: "PRODUCT_UNAVAILABLE"
            case .serviceUnavailable: "SERVICE_UNAVAILABLE"
            case .forbidden: "FORBIDDEN"
            case .promoInvalid: "PROMO_INVALID"
            case .checkoutConflict: "CHECKOUT_CONFLICT"
            case .notFound: "NOT_FOUND"
            }
        }

        /// The HTTP status the contract gives this kind.
        public var status: Int {
            switch self {
            case .invalidQuantity, .invalidRequest, .promoInvalid: 400
            case .authRequired: 401
            case .forbidden: 403
            case .productNotFound, .itemNotFound, .notFound: 404
            case .cartLimitExceeded, .productUnavailable, .checkoutConflict: 409
            case .versionConflict: 412
            case .rateLimited: 429
            case .serviceUnavailable: 503
            }
        }
    }

    public var kind: Kind
    public var message: String
    public var field: String?
    /// Overrides the kind's status (a body over the size limit is CART_005 with 413).
    public var statusOverride: Int?
    /// Seconds for the `Retry-After` header (rate limit, unavailable service).
    public var retryAfterSeconds: Int?

    public init(
        _ kind: Kind,
        _ message: String,
        field: String? = nil,
        status: Int? = nil,
        retryAfterSeconds: Int? = nil
    ) {
        self.kind = kind
        self.message = message
        self.field = field
        self.statusOverride = status
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var status: Int { self.statusOverride ?? self.kind.status }
}

extension CartError {
    public static func invalidQuantity(limit: Int) -> CartError {
        CartError(.invalidQuantity, "Quantity must be between 1 and \(limit)", field: "quantity")
    }

    public static func lineCapExceeded(limit: Int, current: Int) -> CartError {
        CartError(
            .invalidQuantity,
            "Quantity would exceed the limit of \(limit) per item (\(current) already in cart)",
            field: "quantity"
        )
    }

    public static func productNotFound(_ productID: some CustomStringConvertible) -> CartError {
        CartError(.productNotFound, "Product \(productID) not found", field: "product_id")
    }

    public static let itemNotFound = CartError(.itemNotFound, "Cart item not found", field: "item_id")

    public static func cartLimitExceeded(limit: Int) -> CartError {
        CartError(.cartLimitExceeded, "Cart cannot hold more than \(limit) items", field: "quantity")
    }

    /// Request input as an error message repeats it: at most 40 characters of it, so a
    /// megabyte-long id or code is not sent back whole (twice: `message` and `detail`).
    public static func excerpt(_ input: some StringProtocol) -> String {
        input.count <= 40 ? String(input) : input.prefix(40) + "…"
    }

    public static func invalidRequest(_ message: String, field: String? = nil) -> CartError {
        CartError(.invalidRequest, message, field: field)
    }

    public static let bodyTooLarge = CartError(
        .invalidRequest,
        "Request body is larger than 64 KiB",
        field: nil,
        status: 413
    )

    public static let authRequired = CartError(.authRequired, "Authentication required")

    public static func rateLimited(retryAfterSeconds: Int) -> CartError {
        CartError(.rateLimited, "Too many cart changes; try again later", retryAfterSeconds: retryAfterSeconds)
    }

    public static let versionConflict = CartError(
        .versionConflict,
        "Cart version does not match If-Match",
        field: "If-Match"
    )

    public static func productInactive(_ productID: Int) -> CartError {
        CartError(.productUnavailable, "Product \(productID) is not available", field: "product_id")
    }

    public static func outOfStock(_ productID: Int, available: Int) -> CartError {
        CartError(
            .productUnavailable,
            available == 0
                ? "Product \(productID) is out of stock" : "Only \(available) of product \(productID) left in stock",
            field: "product_id"
        )
    }

    public static let serviceUnavailable = CartError(
        .serviceUnavailable,
        "Cart service temporarily unavailable",
        retryAfterSeconds: 1
    )

    /// A promotion code the cart may not take, the message naming why.
    public static func promoInvalid(_ refusal: PromoRefusal) -> CartError {
        CartError(.promoInvalid, refusal.message, field: "code")
    }
}
