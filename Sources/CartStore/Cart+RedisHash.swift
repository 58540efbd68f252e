import CartDomain
import RedisClient

extension Cart {
    /// Builds a cart from the flat `HGETALL` reply of its hash (see `cart_prelude.lua`).
    ///
    /// Lines are ordered by creation time, then id, so a cart always lists the same way.
    init(hash: [RedisValue], owner: CartOwner, expiresAt: Int64?) throws {
        var id = ""
        var sessionReference: String?
        var status = CartStatus.active
        var version: Int64 = 0
        var createdAt: Int64 = 0
        var updatedAt: Int64 = 0
        var items: [CartItem] = []
        items.reserveCapacity(hash.count / 4)
        var index = 0
        while index + 1 < hash.count {
            guard let field = hash[index].string, let value = hash[index + 1].string else {
                throw RedisError.unexpectedReply("cart hash field")
            }
            index += 2
            switch field {
            case "id": id = value
            case "sref": sessionReference = value.isEmpty ? nil : value
            case "st": status = CartStatus(rawValue: value) ?? .active
            case "v": version = Int64(value) ?? 0
            case "c": createdAt = Int64(value) ?? 0
            case "u": updatedAt = Int64(value) ?? 0
            default:
                if field.hasPrefix("l:"), let productID = Int(field.dropFirst(2)) {
                    items.append(try CartItem(line: value, productID: productID))
                }
            }
        }
        items.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        self.init(
            id: id,
            owner: owner,
            sessionReference: sessionReference,
            status: status,
            version: version,
            items: items,
            createdAt: createdAt,
            updatedAt: updatedAt,
            expiresAt: expiresAt
        )
    }
}

extension CartItem {
    /// Parses `<item id>|<quantity>|<unit cents>|<created ms>|<updated ms>|<name>`.
    init(line: String, productID: Int) throws {
        let parts = line.split(separator: "|", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, let quantity = Int(parts[1]), let cents = Int64(parts[2]),
            let created = Int64(parts[3]), let updated = Int64(parts[4])
        else {
            throw RedisError.unexpectedReply("cart line")
        }
        self.init(
            id: String(parts[0]),
            productID: productID,
            productName: String(parts[5]),
            quantity: quantity,
            unitPrice: Cents(cents),
            createdAt: created,
            updatedAt: updated
        )
    }
}
