/// Gathers the replies of one pipeline on the connection's event loop and resumes the caller
/// once, when the last one is in.
///
/// The connection hands it to every command of the pipeline; each command is completed exactly
/// once (by its reply, or by the error that closed the connection), so the caller is resumed
/// exactly once. Used only on the event loop.
final class RedisPipelineReplies {
    private var results: [Result<RedisValue, RedisError>]
    private let commandCount: Int
    private let continuation: UnsafeContinuation<[Result<RedisValue, RedisError>], Never>

    init(commandCount: Int, continuation: UnsafeContinuation<[Result<RedisValue, RedisError>], Never>) {
        self.commandCount = commandCount
        self.continuation = continuation
        self.results = []
        self.results.reserveCapacity(commandCount)
    }

    /// The outcome of the next command, in the order they were sent.
    func complete(_ result: Result<RedisValue, RedisError>) {
        self.results.append(result)
        if self.results.count == self.commandCount { self.continuation.resume(returning: self.results) }
    }
}
