/// A reply from Redis, typed.
///
/// Error replies at the top level never appear as a value: they are thrown as
/// ``RedisError/server(_:)``. Inside an array (a script may return one) they stay `.error`.
public enum RedisValue: Sendable, Hashable {
    case simpleString(String)
    case bulkString(String)
    case integer(Int64)
    case array([RedisValue])
    case null
    case error(String)
}

extension RedisValue {
    /// The value as text, for status and bulk string replies.
    public var string: String? {
        switch self {
        case .simpleString(let text), .bulkString(let text): text
        default: nil
        }
    }

    /// The value as an integer, for integer replies and bulk strings that hold one.
    public var int: Int? {
        switch self {
        case .integer(let value): Int(value)
        case .bulkString(let text): Int(text)
        default: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }
}
