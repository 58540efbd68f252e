/// The entity tags of an `If-Match` or `If-None-Match` field (RFC 9110 §8.8.3, §13.1): `*`, or
/// a comma-separated list of `"…"` and `W/"…"` tags. A bare number is read as a tag too: the
/// version a client took from a cart's JSON. Weakness is dropped, since HotCart's tags are cart
/// versions, and a client's `W/"7"` means version 7.
struct EntityTags: Sendable, Hashable {
    /// `*` was among them: any current cart.
    var isAny = false
    /// What each tag holds, without its quotes and `W/`.
    var tags: [Substring] = []

    /// The tags of a field sent as `values` (once per line it was sent on); `nil` when a value
    /// is not a list of at least one entity tag.
    init?(_ values: [String]) {
        for value in values {
            guard self.read(Substring(value)) else { return nil }
        }
    }

    /// The cart versions the tags name; a tag that is not a version names none.
    var versions: [Int64] {
        self.tags.compactMap { tag in Int64(tag).flatMap { $0 >= 0 ? $0 : nil } }
    }

    /// Reads one field value into `self`; `false` when it is not a list of entity tags.
    private mutating func read(_ value: Substring) -> Bool {
        var rest = value
        var elements = 0
        while true {
            // Empty list elements (`, ,`) are allowed around and between the tags.
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            if rest.isEmpty { return elements > 0 }
            if rest.first == "*" {
                self.isAny = true
                rest = rest.dropFirst()
            } else {
                if rest.hasPrefix("W/") { rest = rest.dropFirst(2) }
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    guard let end = rest.firstIndex(of: "\"") else { return false }
                    let tag = rest[..<end]
                    // etagc: visible ASCII but the quote.
                    guard tag.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return false }
                    self.tags.append(tag)
                    rest = rest[rest.index(after: end)...]
                } else {
                    let digits = rest.prefix { $0.isASCII && $0.isWholeNumber }
                    guard !digits.isEmpty else { return false }
                    self.tags.append(digits)
                    rest = rest.dropFirst(digits.count)
                }
            }
            elements += 1
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard rest.isEmpty || rest.first == "," else { return false }
        }
    }
}
