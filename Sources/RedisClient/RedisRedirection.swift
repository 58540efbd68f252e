/// A Redis Cluster node's answer that a command belongs elsewhere: `MOVED` (the slot is
/// served by another master from now on) or `ASK` (this one command, while the slot migrates).
enum RedisRedirection: Hashable, Sendable {
    case moved(slot: Int, to: RedisEndpoint)
    case ask(slot: Int, to: RedisEndpoint)

    /// Reads `MOVED <slot> <host>:<port>` or `ASK <slot> <host>:<port>`; an empty host means
    /// the host of the node that answered (`answeredBy`), as the cluster specification allows.
    init?(errorMessage message: String, answeredBy node: RedisEndpoint) {
        let parts = message.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot),
            let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
        else {
            return nil
        }
        let host = parts[2][..<colon]
        let target = node.node(host: host.isEmpty ? node.host : String(host), port: port)
        switch parts[0] {
        case "MOVED": self = .moved(slot: slot, to: target)
        case "ASK": self = .ask(slot: slot, to: target)
        default: return nil
        }
    }
}

extension RedisError {
    /// The redirection this error reply carries, if it is `MOVED` or `ASK`.
    func redirection(answeredBy node: RedisEndpoint) -> RedisRedirection? {
        guard let message = self.serverMessage, message.hasPrefix("MOVED ") || message.hasPrefix("ASK ") else {
            return nil
        }
        return RedisRedirection(errorMessage: message, answeredBy: node)
    }

    /// `true` for the replies of a cluster that cannot serve the command at this moment but
    /// will shortly: `TRYAGAIN` (a multi-key command during a slot migration) and
    /// `CLUSTERDOWN` (a failover in progress). Nothing ran; the command may be sent again.
    var isClusterInTransition: Bool {
        guard let message = self.serverMessage else { return false }
        return message.hasPrefix("TRYAGAIN") || message.hasPrefix("CLUSTERDOWN")
    }

    /// `true` for every reply after which the command may be sent again, elsewhere or later:
    /// a redirection, `TRYAGAIN` or `CLUSTERDOWN`. Nothing ran.
    var isRedirectionOrTransition: Bool {
        guard let message = self.serverMessage else { return false }
        return message.hasPrefix("MOVED ") || message.hasPrefix("ASK ") || self.isClusterInTransition
    }
}
