import Foundation
import RedisClient

/// The Lua scripts that read and change carts, loaded from this module's resources.
///
/// Each script is `cart_prelude.lua` followed by its own body, so the key and argument layout
/// is written once. Every one takes the caller's deadline, which the prelude reads and the
/// scripts that change a cart check before anything else.
enum CartScripts {
    static let read = load("read_cart")
    static let addItem = load("add_item")
    static let setQuantity = load("set_quantity")
    static let clear = load("clear_cart")
    static let bulkUpdate = load("bulk_update")
    static let restore = load("restore_cart")
    static let reprice = load("reprice")
    static let saveForLater = load("save_for_later")
    static let moveToCart = load("move_to_cart")
    static let setPromoCode = load("set_promo_code")
    static let convert = load("convert_cart")
    static let mergeTake = load("merge_take")
    static let mergeApply = load("merge_apply")
    static let mergeFinish = load("merge_finish")

    private static let prelude = source("cart_prelude")

    private static func load(_ name: String) -> RedisScript {
        RedisScript(name: name, source: prelude + source(name), takesDeadline: true)
    }

    private static func source(_ name: String) -> String {
        guard
            let url = Bundle.module.url(forResource: name, withExtension: "lua", subdirectory: "Scripts"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            fatalError("cart script \(name).lua is missing from the CartStore bundle")
        }
        return text
    }
}
