/// Which key of a command decides the Redis Cluster slot that serves it.
enum RedisCommandRouting {
    /// The slot the command must run in, or `nil` when it names no key (any node serves it).
    static func slot(of arguments: [String]) -> Int? {
        self.firstKey(of: arguments).map(HashSlot.of)
    }

    /// The command's first key: the argument after the name for most commands, the first of
    /// `numkeys` for scripts, the first stream after `STREAMS`, the argument after the
    /// subcommand for container commands; `nil` for commands that name no key.
    static func firstKey(of arguments: [String]) -> String? {
        guard arguments.count > 1 else { return nil }
        let name = arguments[0]
        // Names are compared in upper case; HotCart's own are, so they are not copied.
        switch name.utf8.contains(where: { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) })
            ? name.uppercased() : name
        {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard arguments.count > 3, let keyCount = Int(arguments[2]), keyCount > 0 else { return nil }
            return arguments[3]
        case "XREAD", "XREADGROUP":
            guard let streams = arguments.firstIndex(where: { $0.utf8.count == 7 && $0.uppercased() == "STREAMS" }),
                streams + 1 < arguments.count
            else {
                return nil
            }
            return arguments[streams + 1]
        case "XGROUP", "XINFO", "OBJECT", "MEMORY":
            return arguments.count > 2 ? arguments[2] : nil
        case "PING", "ECHO", "TIME", "INFO", "CLUSTER", "SCRIPT", "FUNCTION", "SELECT", "FLUSHDB", "FLUSHALL",
            "DBSIZE", "COMMAND", "CONFIG", "CLIENT", "HELLO", "AUTH", "ASKING", "READONLY", "READWRITE", "SCAN",
            "RANDOMKEY", "KEYS", "WAIT", "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "DEBUG", "SLOWLOG", "LATENCY",
            "ROLE", "ACL", "MODULE":
            return nil
        default:
            return arguments[1]
        }
    }
}
