import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// How a `rediss://` connection checks the server it reaches, in redis-py's URL parameters:
/// `ssl_cert_reqs` (`required`, the default: a certificate a trusted authority signed;
/// `optional` or `none`: any certificate), `ssl_check_hostname` (`true`, the default: issued
/// to the URL's host; `false`: any name), `ssl_ca_certs` (a PEM file of the authorities to
/// trust; the system's when absent), and `ssl_certfile` with `ssl_keyfile` (PEM files of the
/// certificate and key the client shows a server that asks for one, as Redis with
/// `tls-auth-clients` does; the key may be in the certificate's file).
public struct RedisTLS: Sendable, Hashable {
    /// Whether the certificate must chain to a trusted authority.
    public var verifiesCertificate = true
    /// Whether the certificate must name the host the URL names.
    public var checksHostname = true
    /// The PEM file of trusted authorities; `nil` for the system's.
    public var trustedCertificatesPath: String?
    /// The PEM file of the client's certificate (chain), if it shows one.
    public var certificatePath: String?
    /// The PEM file of the client certificate's key; `nil` when it is in ``certificatePath``.
    public var keyPath: String?

    public init(
        verifiesCertificate: Bool = true,
        checksHostname: Bool = true,
        trustedCertificatesPath: String? = nil,
        certificatePath: String? = nil,
        keyPath: String? = nil
    ) {
        self.verifiesCertificate = verifiesCertificate
        self.checksHostname = checksHostname
        self.trustedCertificatesPath = trustedCertificatesPath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// Takes one of redis-py's TLS parameters of a URL (`ssl_cert_reqs`, `ssl_check_hostname`,
    /// `ssl_ca_certs`, `ssl_certfile` or `ssl_keyfile`, its value percent-decoded); `false` for
    /// another parameter or an unknown value.
    mutating func read(parameter: Substring, value: String) -> Bool {
        switch (parameter, value.lowercased()) {
        case ("ssl_cert_reqs", "required"): self.verifiesCertificate = true
        case ("ssl_cert_reqs", "optional"), ("ssl_cert_reqs", "none"): self.verifiesCertificate = false
        case ("ssl_check_hostname", "true"): self.checksHostname = true
        case ("ssl_check_hostname", "false"): self.checksHostname = false
        case ("ssl_ca_certs", _) where !value.isEmpty: self.trustedCertificatesPath = value
        case ("ssl_certfile", _) where !value.isEmpty: self.certificatePath = value
        case ("ssl_keyfile", _) where !value.isEmpty: self.keyPath = value
        default: return false
        }
        return true
    }

    /// Why settings make no TLS context: one phrase that follows "REDIS_URL ".
    public struct Unusable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The TLS context of these settings, made once per process (reading the system's or the
    /// file's authorities is too slow to repeat for every connection). Throws when a file
    /// cannot be read, or the key does not belong to the certificate.
    public func context() throws(Unusable) -> NIOSSLContext {
        try Self.contexts.withLock { contexts throws(Unusable) in
            if let context = contexts[self] { return context }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let path = self.trustedCertificatesPath {
                guard let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty else {
                    throw Unusable(description: "has an ssl_ca_certs that cannot be read as PEM certificates")
                }
                configuration.trustRoots = .certificates(certificates)
            }
            if let path = self.certificatePath {
                guard let chain = try? NIOSSLCertificate.fromPEMFile(path), !chain.isEmpty else {
                    throw Unusable(description: "has an ssl_certfile that cannot be read as a PEM certificate")
                }
                guard let key = try? NIOSSLPrivateKey(file: self.keyPath ?? path, format: .pem) else {
                    throw Unusable(
                        description: self.keyPath == nil
                            ? "has an ssl_certfile without its key (give ssl_keyfile)"
                            : "has an ssl_keyfile that cannot be read as an unencrypted PEM private key"
                    )
                }
                configuration.certificateChain = chain.map { .certificate($0) }
                configuration.privateKey = .privateKey(key)
            }
            configuration.certificateVerification =
                !self.verifiesCertificate ? .none : self.checksHostname ? .fullVerification : .noHostnameVerification
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                // The files were read, so what is left to refuse is a key for another certificate.
                throw Unusable(
                    description: self.certificatePath == nil
                        ? "has TLS settings that cannot be used (\(error))"
                        : "has an ssl_keyfile that does not belong to its ssl_certfile"
                )
            }
            contexts[self] = context
            return context
        }
    }

    /// Adds the TLS handlers for a connection to `host` at the head of `channel`'s pipeline
    /// (on its event loop); `handshake` completes when the handshake is done, or fails with
    /// ``RedisError/tls(_:)`` when the server's certificate is refused, or with
    /// ``RedisError/timeout`` when it takes longer than `timeout`. The host is sent as the
    /// server name unless it is an IP address, which the certificate is then checked against.
    func addHandlers(
        to channel: any Channel,
        host: String,
        timeout: TimeAmount,
        _ handshake: EventLoopPromise<Void>
    ) throws {
        let serverName = SocketAddress.isIPAddress(host) ? nil : host
        try channel.pipeline.syncOperations.addHandler(
            NIOSSLClientHandler(context: self.context(), serverHostname: serverName)
        )
        try channel.pipeline.syncOperations.addHandler(RedisTLSHandshake(promise: handshake, timeout: timeout))
    }

    private static let contexts = Mutex<[RedisTLS: NIOSSLContext]>([:])
}

extension RedisEndpoint {
    /// Adds what every connection to this endpoint reads Redis through, on the channel's event
    /// loop: TLS first when the endpoint has it (`handshake` completing as
    /// ``RedisTLS/addHandlers(to:host:timeout:_:)`` says), then the reply decoder.
    func addReadingHandlers(to channel: any Channel, handshake: EventLoopPromise<Void>?, timeout: TimeAmount) throws {
        if let tls = self.tls, let handshake {
            try tls.addHandlers(to: channel, host: self.host, timeout: timeout, handshake)
        }
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RedisReplyDecoder()))
    }
}

extension SocketAddress {
    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    fileprivate static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// Completes its promise when the TLS handshake before it in the pipeline is done, or fails it
/// with the reason; everything else passes through.
private final class RedisTLSHandshake: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let promise: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(promise: EventLoopPromise<Void>, timeout: TimeAmount) {
        self.promise = promise
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let promise = self.promise
        self.timer = context.eventLoop.scheduleTask(in: self.timeout) { promise.fail(RedisError.timeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finish(.failure(RedisError.connectionClosed))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { self.finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(RedisError.tls("\(error)")))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(.failure(RedisError.connectionClosed))
        context.fireChannelInactive()
    }

    /// Completes the promise (once: later outcomes are ignored) and stops the timer.
    private func finish(_ outcome: Result<Void, any Error>) {
        self.timer?.cancel()
        self.timer = nil
        self.promise.completeWith(outcome)
    }
}
