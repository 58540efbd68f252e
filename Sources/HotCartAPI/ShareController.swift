import CartDomain
import CartStore
import Catalog
import Foundation
import Hummingbird
import Promotions
import Sharing

/// Shared carts: `POST /cart/share` snapshots the caller's lines behind an unguessable id;
/// `GET /shared-carts/{share_id}` shows them to anyone with the id (nothing about the owner);
/// `POST /shared-carts/{share_id}/copy` adds them to the caller's cart at today's prices, with the
/// merge caps, skipping what cannot be bought (a warning each).
struct ShareController {
    let repository: CartShareRepository
    let store: RedisCartStore
    let products: ProductCache
    let promotions: PromoCodeCache
    let currency: String
    let lifetime: Duration

    /// `POST /cart/share`, on the cart group.
    func addCartRoutes(to group: RouterGroup<CartRequestContext>) {
        group.post("share", use: self.share)
    }

    /// `GET /shared-carts/{share_id}`: public, no owner resolved.
    func addPublicRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get("{share_id}", use: self.show)
    }

    /// `POST /shared-carts/{share_id}/copy`, on a group that resolves the caller's cart.
    func addCopyRoutes(to group: RouterGroup<CartRequestContext>) {
        group.post("{share_id}/copy", use: self.copy)
    }

    @Sendable func share(request: Request, context: CartRequestContext) async throws -> Response {
        let cart = try await self.store.cart(of: context.requireSession())
        let share = CartShare(of: cart, now: CartPricing.now(), lifetimeMilliseconds: self.lifetime.wholeMilliseconds)
        try await self.repository.save(share)
        var writer = JSONWriter(capacity: 160)
        writer.beginObject()
        writer.key("share_id")
        writer.string(share.id)
        writer.key("url")
        writer.string("/shared-carts/\(share.id)")
        writer.key("expires_at")
        writer.timestamp(milliseconds: share.expiresAt)
        writer.endObject()
        return writer.response(status: .created)
    }

    /// The shared lines, their money in the display currency asked for (`?currency=`), adding
    /// up as a cart's do: the subtotal is the sum of the lines' unit prices shown times their
    /// quantities.
    @Sendable func show(request: Request, context: CartRequestContext) async throws -> Response {
        let share = try await self.share(context)
        let display = MoneyDisplay(currency: context.displayCurrency)
        var writer = JSONWriter(capacity: 256 + share.lines.count * 160)
        writer.beginObject()
        writer.key("share_id")
        writer.string(share.id)
        writer.key("items")
        writer.beginArray()
        for line in share.lines {
            writer.beginObject()
            writer.key("product_id")
            writer.integer(line.productID)
            writer.key("product_name")
            writer.string(line.productName)
            writer.key("quantity")
            writer.integer(line.quantity)
            writer.key("unit_price")
            display.write(display.amount(line.unitPrice), into: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.key("subtotal")
        display.write(display.subtotal(of: share.lines, unitPrice: \.unitPrice, quantity: \.quantity), into: &writer)
        writer.key("created_at")
        writer.timestamp(milliseconds: share.createdAt)
        writer.key("expires_at")
        writer.timestamp(milliseconds: share.expiresAt)
        writer.endObject()
        return writer.response()
    }

    @Sendable func copy(request: Request, context: CartRequestContext) async throws -> Response {
        let share = try await self.share(context)
        let now = CartPricing.now()
        var warnings: [CartWarning] = []
        var toAdd: [RedisCartStore.LineToAdd] = []
        try self.products.requireLoaded()
        for line in share.lines {
            guard let product = self.products.product(id: line.productID), product.isActive,
                product.stock != 0
            else {
                warnings.append(
                    CartWarning(
                        code: "PRODUCT_UNAVAILABLE",
                        message: "\(line.productName) is no longer available; it was not copied",
                        productID: line.productID,
                        itemID: nil
                    )
                )
                continue
            }
            // The stock caps the line the copy makes or grows, in the script (with what the cart
            // holds already), as an add's does.
            toAdd.append(
                RedisCartStore.LineToAdd(
                    productID: product.id,
                    productName: product.name,
                    quantity: line.quantity,
                    unitPrice: product.price,
                    createdAt: now,
                    updatedAt: now,
                    limit: LineLimit.Availability(product)
                )
            )
        }
        // A copy retried with its Idempotency-Key adds nothing again (the key names the change,
        // for this share; the store keeps it per owner).
        let changeID = try CartController.idempotencyKey(request).map { "copy:\(share.id):\($0)" } ?? RandomID.uuid()
        let outcome = try await self.store.addLines(
            toAdd,
            to: context.requireSession(),
            changeID: changeID,
            ifMatch: try CartController.ifMatch(request)
        )
        return CartResponse(
            cart: outcome.cart,
            context: context,
            baseCurrency: self.currency,
            promotions: self.promotions,
            warnings: warnings + outcome.warnings.map { CartWarning($0, in: outcome.cart) }
        ).response()
    }

    /// The share the `{share_id}` path parameter names; unknown, malformed or expired: 404 CART_014.
    private func share(_ context: CartRequestContext) async throws -> CartShare {
        let id = context.parameters.get("share_id") ?? ""
        let wellFormed =
            (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            }
        guard wellFormed, let share = try await self.repository.share(id, now: CartPricing.now()) else {
            throw CartError(.notFound, "Shared cart not found or expired", field: "share_id")
        }
        return share
    }
}
