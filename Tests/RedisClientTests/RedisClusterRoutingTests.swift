import HotCartTestSupport
import Testing

@testable import RedisClient

/// How the client reads redirections and slot maps, and which key routes a command.
@Suite struct RedisClusterRoutingTests {
    let node = RedisEndpoint(host: "10.0.0.1", port: 7001)

    @Test func movedAndAskNameTheSlotAndTheNode() {
        #expect(
            RedisRedirection(errorMessage: "MOVED 3999 127.0.0.1:6381", answeredBy: self.node)
                == .moved(slot: 3999, to: RedisEndpoint(host: "127.0.0.1", port: 6381))
        )
        #expect(
            RedisRedirection(errorMessage: "ASK 12182 ::1:7002", answeredBy: self.node)
                == .ask(slot: 12182, to: RedisEndpoint(host: "::1", port: 7002))
        )
        // An empty host is the host of the node that answered.
        #expect(
            RedisRedirection(errorMessage: "MOVED 0 :7003", answeredBy: self.node)
                == .moved(slot: 0, to: RedisEndpoint(host: "10.0.0.1", port: 7003))
        )
        #expect(RedisRedirection(errorMessage: "MOVED 16384 127.0.0.1:6381", answeredBy: self.node) == nil)
        #expect(RedisRedirection(errorMessage: "ERR unknown command", answeredBy: self.node) == nil)
        #expect(RedisError.server("TRYAGAIN Multiple keys request during rehashing of slot").isRedirectionOrTransition)
        #expect(RedisError.server("CLUSTERDOWN The cluster is down").isClusterInTransition)
        #expect(!RedisError.server("NOSCRIPT No matching script").isRedirectionOrTransition)
        #expect(!RedisError.timeout.isRedirectionOrTransition)
    }

    @Test func clusterSlotsBecomeRangesOfMasters() {
        let reply = RedisValue.array([
            .array([
                .integer(0), .integer(5460),
                .array([.bulkString("127.0.0.1"), .integer(7001), .bulkString("a1")]),
                .array([.bulkString("127.0.0.1"), .integer(7004), .bulkString("r1")]),
            ]),
            .array([.integer(5461), .integer(16383), .array([.bulkString(""), .integer(7002), .bulkString("b2")])]),
        ])
        #expect(
            RedisSlotRange.ranges(clusterSlots: reply, answeredBy: self.node) == [
                RedisSlotRange(slots: 0...5460, master: RedisEndpoint(host: "127.0.0.1", port: 7001)),
                RedisSlotRange(slots: 5461...16383, master: RedisEndpoint(host: "10.0.0.1", port: 7002)),
            ]
        )
        let outOfRange = RedisValue.array([
            .array([.integer(0), .integer(16384), .array([.bulkString("h"), .integer(1)])])
        ])
        #expect(RedisSlotRange.ranges(clusterSlots: outOfRange, answeredBy: self.node) == nil)
        #expect(RedisSlotRange.ranges(clusterSlots: .simpleString("OK"), answeredBy: self.node) == nil)
    }

    @Test func aCommandIsRoutedByItsFirstKey() {
        #expect(RedisCommandRouting.firstKey(of: ["HGETALL", "hc:{7}:cart:g:x"]) == "hc:{7}:cart:g:x")
        #expect(RedisCommandRouting.firstKey(of: ["EVALSHA", "abc", "2", "k1", "k2", "a"]) == "k1")
        #expect(RedisCommandRouting.firstKey(of: ["EVAL", "return 1", "0"]) == nil)
        #expect(
            RedisCommandRouting.firstKey(of: ["XREADGROUP", "GROUP", "g", "c", "COUNT", "5", "STREAMS", "s", ">"])
                == "s"
        )
        #expect(RedisCommandRouting.firstKey(of: ["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"]) == "s")
        #expect(RedisCommandRouting.firstKey(of: ["PING"]) == nil)
        #expect(RedisCommandRouting.firstKey(of: ["CLUSTER", "KEYSLOT", "foo"]) == nil)
        #expect(RedisCommandRouting.slot(of: ["get", "foo"]) == 12182)
    }

    @Test func redisURLMayNameSeveralSeedNodes() {
        #expect(
            RedisEndpoint.seeds(url: "redis://127.0.0.1:7001, redis://127.0.0.1:7002/0") == [
                RedisEndpoint(host: "127.0.0.1", port: 7001), RedisEndpoint(host: "127.0.0.1", port: 7002),
            ]
        )
        #expect(RedisEndpoint.seeds(url: "redis://127.0.0.1:6379/2") == [RedisEndpoint(host: "127.0.0.1", database: 2)])
        #expect(RedisEndpoint.seeds(url: "redis://a:1,http://b:2") == nil)
        let signedIn = RedisEndpoint(url: "redis://:p%40ss@cache.internal:6380/1")
        #expect(signedIn?.credentials == .init(password: "p@ss") && signedIn?.port == 6380 && signedIn?.database == 1)
        #expect(RedisEndpoint(url: "redis://carts:pw@h")?.credentials == .init(username: "carts", password: "pw"))
        #expect(RedisEndpoint(url: "redis://carts:pw@h")?.description == "redis://h:6379/0")
        // A cluster's other nodes are signed in to as its seed is.
        let node = RedisEndpoint(host: "10.0.0.1", port: 7001, credentials: .init(password: "pw"))
        #expect(
            RedisRedirection(errorMessage: "MOVED 1 10.0.0.2:7002", answeredBy: node)
                == .moved(slot: 1, to: RedisEndpoint(host: "10.0.0.2", port: 7002, credentials: .init(password: "pw")))
        )
        #expect(RedisEndpoint.seeds(url: "") == nil)
    }

    /// `rediss://` with redis-py's TLS parameters; a cluster's other nodes are reached over
    /// TLS as the seed is. Other parameters as redis-py reads them.
    @Test func redissAndRedisPysOtherParameters() throws {
        let plain = try #require(RedisEndpoint(url: "rediss://:pw@cache.internal:6380/1"))
        #expect(plain.tls == RedisTLS(verifiesCertificate: true, checksHostname: true, trustedCertificatesPath: nil))
        #expect(plain.description == "rediss://cache.internal:6380/1")
        #expect(plain.node(host: "10.0.0.2", port: 7002).tls == plain.tls)
        let relaxed = RedisEndpoint(url: "rediss://h?ssl_cert_reqs=none&ssl_ca_certs=%2Fetc%2Fca.pem")
        #expect(relaxed?.tls == RedisTLS(verifiesCertificate: false, trustedCertificatesPath: "/etc/ca.pem"))
        #expect(RedisEndpoint(url: "rediss://h:1/0?ssl_check_hostname=false")?.tls?.checksHostname == false)
        #expect(RedisEndpoint(url: "rediss://h?ssl_cert_reqs=Optional")?.tls?.verifiesCertificate == false)
        #expect(RedisEndpoint(url: "redis://h")?.tls == nil)
        // A client certificate, its key in its own file or in the certificate's.
        let identified = RedisEndpoint(url: "rediss://h?ssl_certfile=%2Fc%2Fclient.crt&ssl_keyfile=/c/client.key")
        #expect(identified?.tls == RedisTLS(certificatePath: "/c/client.crt", keyPath: "/c/client.key"))
        #expect(
            RedisEndpoint(url: "rediss://h?ssl_certfile=/c/both.pem")?.tls == RedisTLS(certificatePath: "/c/both.pem")
        )
        // An IPv6 address, in brackets as URLs write it.
        let ipv6 = try #require(RedisEndpoint(url: "redis://[::1]:6380/2"))
        #expect(ipv6 == RedisEndpoint(host: "::1", port: 6380, database: 2))
        #expect(ipv6.description == "redis://[::1]:6380/2")
        // redis-py's client name, which a cluster's other nodes' connections give too.
        let named = try #require(RedisEndpoint(url: "redis://h?client_name=pyshop-api"))
        #expect(named.clientName == "pyshop-api" && named.node(host: "10.0.0.2", port: 7002).clientName == "pyshop-api")
        // redis-py's Unix-domain socket URL.
        let socket = try #require(RedisEndpoint(url: "unix://:p%40ss@/var/run/redis/redis.sock?db=2"))
        #expect(
            socket
                == RedisEndpoint(
                    socketPath: "/var/run/redis/redis.sock",
                    database: 2,
                    credentials: .init(password: "p@ss")
                )
        )
        #expect(socket.description == "unix:///var/run/redis/redis.sock?db=2")
        // redis-py's `db` parameter, and its connection options that mean nothing here.
        let pyshop = RedisEndpoint(url: "redis://h:6380?db=4&decode_responses=True&socket_timeout=5")
        #expect(pyshop == RedisEndpoint(host: "h", port: 6380, database: 4))
        for refused in [
            "redis://h?ssl_cert_reqs=none", "rediss://h?ssl_cert_reqs=maybe", "rediss://h?timeout=3",
            "rediss://h?ssl_ca_certs=", "rediss://h?ssl_check_hostname", "rediss://", "redis://h?db=x",
            "redis://h?db=-1", "redis://h?colour=blue", "rediss://h?ssl_keyfile=/c/client.key",
            "redis://h?ssl_certfile=/c/client.crt", "redis://[]:6380", "unix://", "unix://relative.sock",
            "unix:///r.sock?ssl_cert_reqs=none", "redis://h?client_name=a%20b", "redis://h?client_name=",
        ] {
            #expect(RedisEndpoint(url: refused) == nil, "\(refused)")
        }
    }

    /// A TLS setting whose file cannot be used says which, in the line that stops start-up.
    @Test(arguments: [
        (RedisTLS(trustedCertificatesPath: "/nonexistent/ca.pem"), "has an ssl_ca_certs that cannot be read"),
        (RedisTLS(certificatePath: "/etc/hostname"), "has an ssl_certfile that cannot be read"),
        (RedisTLS(certificatePath: "CERTIFICATE"), "has an ssl_certfile without its key"),
        (RedisTLS(certificatePath: "CERTIFICATE", keyPath: "/etc/hostname"), "has an ssl_keyfile that cannot be read"),
    ])
    func aTLSFileThatCannotBeUsedSaysWhich(settings: RedisTLS, reason: String) throws {
        var settings = settings
        let certificate = try TestEnvironment.certificate().certificatePath
        if settings.certificatePath == "CERTIFICATE" { settings.certificatePath = certificate }
        #expect {
            try settings.context()
        } throws: { error in
            (error as? RedisTLS.Unusable)?.description.hasPrefix(reason) == true
        }
    }
}
