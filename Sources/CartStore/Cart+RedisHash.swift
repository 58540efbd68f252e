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
        var savedItems: [CartItem] = []
        var promoCode: String?
        items.reserveCapacity(hash.count / 4)
        var index = 0
        while index + 1 < hash.count {
            guard let field = hash[index].string, let value = hash[index + 1].string else {
                throw RedisError.unexpectedReply("cart hash field")
            }
            index += 2
            // Lines (`l:<product id>`) are most of the fields: test for them first.
            if field.utf8.first == UInt8(ascii: "l"), field.utf8.count > 2, let productID = Int(field.dropFirst(2)) {
                items.append(try CartItem(line: value, productID: productID))
                continue
            }
            if field.utf8.first == UInt8(ascii: "s"), field.utf8.count > 2, let productID = Int(field.dropFirst(2)) {
                savedItems.append(try CartItem(line: value, productID: productID))
                continue
            }
            switch field {
            case "id": id = value
            case "sref": sessionReference = value.isEmpty ? nil : value
            case "st": status = CartStatus(rawValue: value) ?? .active
            case "v": version = Int64(value) ?? 0
            case "c": createdAt = Int64(value) ?? 0
            case "u": updatedAt = Int64(value) ?? 0
            case "pc": promoCode = value
            default: break
            }
        }
        items.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        savedItems.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        self.init(
            id: id,
            owner: owner,
            sessionReference: sessionReference,
            status: status,
            version: version,
            items: items,
            savedItems: savedItems,
            promoCode: promoCode,
            createdAt: createdAt,
            updatedAt: updatedAt,
            expiresAt: expiresAt
        )
    }
}

extension CartItem {
    /// Parses `<item id>|<quantity>|<unit cents>|<created>|<updated>|<name>` in one pass over
    /// the bytes (it runs for every line of every cart read). The item id is stored short (see
    /// ``StoredItemID``) and the times are milliseconds in base 36 (see `cart_prelude.lua`).
    init(line: String, productID: Int) throws {
        var line = line
        let parsed = line.withUTF8 { bytes -> CartItem? in
            // The positions of the five separators, on the stack.
            var fields = InlineArray<5, Int>(repeating: 0)
            var found = 0
            var index = 0
            for (position, byte) in bytes.enumerated() where byte == UInt8(ascii: "|") {
                fields[found] = position
                found += 1
                index = position
                if found == 5 { break }
            }
            guard found == 5,
                let id = StoredItemID.id(UnsafeBufferPointer(rebasing: bytes[..<fields[0]])),
                let quantity = Self.integer(bytes, from: fields[0] + 1, to: fields[1]),
                let cents = Self.integer(bytes, from: fields[1] + 1, to: fields[2]),
                let created = Self.milliseconds(bytes, from: fields[2] + 1, to: fields[3]),
                let updated = Self.milliseconds(bytes, from: fields[3] + 1, to: fields[4])
            else { return nil }
            return CartItem(
                id: id,
                productID: productID,
                productName: String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)...]), as: UTF8.self),
                quantity: Int(quantity),
                unitPrice: Cents(cents),
                createdAt: created,
                updatedAt: updated
            )
        }
        guard let parsed else { throw RedisError.unexpectedReply("cart line") }
        self = parsed
    }

    /// Milliseconds in base 36 in `bytes[start..<end]`. A line written before times were
    /// shortened has 13 decimal digits; base 36 needs at most 12 for millions of years.
    private static func milliseconds(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int64? {
        guard start < end, end - start <= 12 else { return Self.integer(bytes, from: start, to: end) }
        var value: Int64 = 0
        for index in start..<end {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value * 36 + Int64(digit)
        }
        return value
    }

    /// A non-negative decimal integer in `bytes[start..<end]`, or `nil`.
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int64? {
        guard start < end, end - start <= 18 else { return nil }
        var value: Int64 = 0
        for index in start..<end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }
}
