import Logging
import Synchronization

/// Keeps what is logged through it (message and metadata), for tests that check a log line.
public final class LoggedMessages: Sendable {
    /// Every line logged, as `<message> <key>=<value> …` (metadata sorted by key).
    public let messages = Mutex<[String]>([])

    public init() {}

    public var handler: Handler { Handler(log: self) }

    public struct Handler: LogHandler {
        let log: LoggedMessages
        public var metadata: Logger.Metadata = [:]
        public var logLevel: Logger.Level = .trace

        public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        public func log(
            level: Logger.Level,
            message: Logger.Message,
            metadata: Logger.Metadata?,
            source: String,
            file: String,
            function: String,
            line: UInt
        ) {
            let fields = (metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            self.log.messages.withLock { $0.append("\(message) \(fields)") }
        }
    }
}
