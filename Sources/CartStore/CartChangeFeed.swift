import CartDomain
import Logging
import Metrics
import RedisClient
import ServiceLifecycle
import Synchronization

/// Wakes this process's watchers of a cart when the cart may have changed, whichever server
/// process changed it.
///
/// Every cart script that changes a cart announces it on its shard's channel
/// (``CartKeys/changeChannel(shard:)``) in the same atomic step. From the first watcher on, the
/// feed holds a subscription to every shard's channel (sharded pub/sub: on a cluster each
/// master sends its own shards' notices) and wakes the watchers of the cart each notice names.
/// Notices sent while no subscription stands are lost, so every watcher is woken each time the
/// subscription is (re)made; a woken watcher reads its cart, which is the truth either way.
/// Every ``keepAliveInterval`` each watcher gets ``Signal/keepAlive``.
///
/// At most ``maximumWatchers`` watch at once in one process. Run the feed as a `Service`: when
/// it stops, every watcher's signals end.
public final class CartChangeFeed: Service, Sendable {
    /// Why a watcher is woken.
    public enum Signal: Sendable {
        /// The cart may have changed (or a change may have gone unheard).
        case changed
        /// Nothing is known to have changed; time to show the client the stream is alive.
        case keepAlive
    }

    private struct Registry {
        /// The watchers of each cart (by cart key), each under its own number.
        var watchers: [String: [Int: AsyncStream<Signal>.Continuation]] = [:]
        var count = 0
        var nextID = 0
        var subscribing = false
        /// Whether the subscription now standing was confirmed by every node.
        var subscribed = false
        var stopped = false
    }

    public let maximumWatchers: Int
    public let keepAliveInterval: Duration
    private let registry = Mutex(Registry())
    private let redis: RedisClient
    private let firstWatcher: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    private let watching = Meter(label: "hotcart_cart_event_streams")
    private let logger: Logger

    public init(redis: RedisClient, maximumWatchers: Int, keepAliveInterval: Duration, logger: Logger) {
        self.redis = redis
        self.maximumWatchers = maximumWatchers
        self.keepAliveInterval = keepAliveInterval
        self.firstWatcher = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.logger = logger
    }

    /// Starts watching `owner`'s cart; the watch ends when the returned value is released.
    /// Throws ``CartError/serviceUnavailable`` when ``maximumWatchers`` already watch, or once
    /// the feed has stopped.
    public func watch(_ owner: CartOwner) throws -> CartWatch {
        let cartKey = CartKeys(owner: owner).cart
        let (signals, continuation) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingNewest(1))
        let registered: (id: Int, first: Bool)? = self.registry.withLock { registry in
            guard !registry.stopped, registry.count < self.maximumWatchers else { return nil }
            let id = registry.nextID
            registry.nextID += 1
            registry.watchers[cartKey, default: [:]][id] = continuation
            registry.count += 1
            defer { registry.subscribing = true }
            return (id, !registry.subscribing)
        }
        guard let registered else { throw CartError.serviceUnavailable }
        self.watching.increment()
        if registered.first { self.firstWatcher.continuation.yield() }
        return CartWatch(signals: signals, continuation: continuation) {
            self.unregister(cartKey, id: registered.id)
        }
    }

    /// Subscribes once the first watcher comes, and keeps the subscription (made again after
    /// any failure) and the keep-alive beat until the task is cancelled or shutdown begins;
    /// then ends every watcher's signals.
    public func run() async {
        await cancelWhenGracefulShutdown {
            var firstWatcher = self.firstWatcher.stream.makeAsyncIterator()
            guard await firstWatcher.next() != nil else { return }
            await withDiscardingTaskGroup { group in
                group.addTask { await self.keepSubscribed() }
                group.addTask { await self.beat() }
            }
        }
        let ended = self.registry.withLock { registry in
            registry.stopped = true
            return registry.watchers.values.flatMap(\.values)
        }
        for continuation in ended { continuation.finish() }
    }

    private func keepSubscribed() async {
        let channels = (0..<CartKeys.shardCount).map(CartKeys.changeChannel(shard:))
        var failing = false
        while !Task.isCancelled {
            do {
                try await self.redis.subscribe(
                    toShardChannels: channels,
                    onSubscribed: {
                        self.registry.withLock { $0.subscribed = true }
                        self.wakeAll(.changed)
                    },
                    onMessage: { _, notice in self.deliver(notice) }
                )
            } catch {
                if Task.isCancelled { return }
                // Said once per outage, not at every attempt while Redis is away.
                let wasUp = self.registry.withLock { registry in
                    defer { registry.subscribed = false }
                    return registry.subscribed
                }
                if wasUp || !failing {
                    self.logger.warning(
                        "cart change subscription lost; subscribing again",
                        metadata: ["error": "\(error)"]
                    )
                }
                failing = true
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func beat() async {
        while (try? await Task.sleep(for: self.keepAliveInterval)) != nil {
            self.wakeAll(.keepAlive)
        }
    }

    /// Wakes the watchers of the cart a notice (`<version> <cart key>`) names.
    private func deliver(_ notice: String) {
        guard let space = notice.firstIndex(of: " ") else { return }
        let cartKey = notice[notice.index(after: space)...]
        self.registry.withLock { registry in
            guard let watchers = registry.watchers[String(cartKey)] else { return }
            for continuation in watchers.values { continuation.yield(.changed) }
        }
    }

    private func wakeAll(_ signal: Signal) {
        self.registry.withLock { registry in
            for watchers in registry.watchers.values {
                for continuation in watchers.values { continuation.yield(signal) }
            }
        }
    }

    private func unregister(_ cartKey: String, id: Int) {
        let continuation: AsyncStream<Signal>.Continuation? = self.registry.withLock { registry in
            guard let continuation = registry.watchers[cartKey]?.removeValue(forKey: id) else { return nil }
            if registry.watchers[cartKey]?.isEmpty == true { registry.watchers[cartKey] = nil }
            registry.count -= 1
            return continuation
        }
        guard let continuation else { return }
        continuation.finish()
        self.watching.decrement()
    }
}

/// One watcher of one cart (``CartChangeFeed/watch(_:)``): its signals, for as long as it is
/// held. Releasing it ends the watch, so a watcher that goes away for any reason never leaks.
public final class CartWatch: Sendable {
    /// Each time the cart may have changed, or a keep-alive is due; ends when the feed stops
    /// or ``stop()`` is called.
    public let signals: AsyncStream<CartChangeFeed.Signal>
    private let continuation: AsyncStream<CartChangeFeed.Signal>.Continuation
    private let end: @Sendable () -> Void

    init(
        signals: AsyncStream<CartChangeFeed.Signal>,
        continuation: AsyncStream<CartChangeFeed.Signal>.Continuation,
        end: @escaping @Sendable () -> Void
    ) {
        self.signals = signals
        self.continuation = continuation
        self.end = end
    }

    /// Ends ``signals`` after what is already in them (the watcher's client went, its time is
    /// up, or the server is shutting down).
    public func stop() {
        self.continuation.finish()
    }

    deinit {
        self.end()
    }
}
