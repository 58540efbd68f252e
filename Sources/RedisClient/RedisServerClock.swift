import Foundation
import NIOCore
import Synchronization

/// One Redis server's clock as this process sees it, read with `TIME` as each connection to
/// it opens and every ``RedisClient/Configuration/clockReadInterval`` after, so that the client
/// can name a moment in the server's own time: the deadline it gives a script (see
/// ``RedisScript/takesDeadline``). Hosts' clocks differ, by little under NTP but not by nothing;
/// read in the server's time, a deadline means the same whatever the difference. The server's
/// time is kept as an offset from this process's monotonic clock, so a step of this host's wall
/// clock changes nothing, and a step of the server's is learnt at the next reading.
final class RedisServerClock: Sendable {
    /// The server's time less this process's monotonic clock, in milliseconds; until a
    /// connection has asked, this host's wall clock stands in for the server's.
    private let offset = Atomic<Int64>(RedisServerClock.wallMilliseconds() - RedisServerClock.localMilliseconds())

    /// The server's time now, as far as this process can tell: milliseconds since 1970.
    func now() -> Int64 {
        Self.localMilliseconds() + self.offset.load(ordering: .relaxed)
    }

    /// Asks the server at the other end of `connection` for its time. A server that does not
    /// answer, or whose ACL refuses `TIME`, leaves the offset as it was.
    func synchronize(with connection: RedisConnection) async {
        let sent = Self.localMilliseconds()
        guard let reply = try? await connection.send(["TIME"]) else { return }
        if let offset = Self.offset(time: reply, sent: sent, received: Self.localMilliseconds()) {
            self.offset.store(offset, ordering: .relaxed)
        }
    }

    /// The offset a `TIME` reply (seconds and microseconds since 1970) gives when it was sent
    /// and received at those local (monotonic) times: the server is taken to have read its clock
    /// halfway through the round trip, so the error is at most half of it.
    static func offset(time reply: RedisValue, sent: Int64, received: Int64) -> Int64? {
        guard let parts = reply.array, parts.count == 2,
            let seconds = parts[0].string.flatMap({ Int64($0) }),
            let microseconds = parts[1].string.flatMap({ Int64($0) })
        else {
            return nil
        }
        return seconds * 1000 + microseconds / 1000 - (sent + received) / 2
    }

    /// This process's monotonic clock, in milliseconds (since the host booted).
    static func localMilliseconds() -> Int64 {
        Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000)
    }

    private static func wallMilliseconds() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }
}
