/// One entry of a write-behind stream: "the cart under this key reached this version".
public struct WriteBehindRecord: Sendable, Hashable {
    /// The stream (one per shard) the record is in.
    public var stream: String
    /// The stream entry id, `<ms>-<seq>`; its time part is when the change was made.
    public var entryID: String
    public var cartKey: String
    public var version: Int64

    /// When the change was made, in milliseconds since 1970 (from the entry id).
    public var changedAt: Int64 {
        Int64(self.entryID.prefix { $0 != "-" }) ?? 0
    }
}
