import CartDomain

/// Cart line ids as the cart hash keeps them: the UUID's 16 bytes in 22 characters of
/// base64url instead of 36 of text, so a 5-line cart stays a small listpack. The store
/// converts at its edge: scripts only ever see the short form, callers only ``CartItemID``s.
enum StoredItemID {
    /// A new id for a line of `productID` made at `milliseconds` since 1970, in the stored form.
    static func new(productID: Int, milliseconds: Int64) -> String {
        Self.stored(CartItemID.line(of: productID, milliseconds: milliseconds))
    }

    /// The stored form of an id.
    static func stored(_ id: CartItemID) -> String {
        id.withBytes(Base64URL.encode)
    }

    /// The id in its stored form, or in the UUID text a line written before ids were shortened
    /// keeps; `nil` for anything else. Runs for every line of every cart read: the stored form
    /// is decoded on the stack.
    static func id(_ stored: some Collection<UInt8>) -> CartItemID? {
        stored.withContiguousStorageIfAvailable(Self.id(in:)) ?? Array(stored).withUnsafeBufferPointer(Self.id(in:))
    }

    private static func id(in stored: UnsafeBufferPointer<UInt8>) -> CartItemID? {
        switch stored.count {
        case 22:
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { bytes in
                Base64URL.decode(stored, into: bytes) == 16 ? CartItemID(bytes: UnsafeRawBufferPointer(bytes)) : nil
            }
        case 36:
            CartItemID(uuid: String(decoding: stored, as: UTF8.self))
        default:
            nil
        }
    }
}
