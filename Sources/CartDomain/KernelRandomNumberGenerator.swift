import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The kernel's CSPRNG, read 256 bytes per system call.
///
/// `SystemRandomNumberGenerator` asks the kernel for every 8 bytes: a new guest's first add
/// (a session id, a cart id and a line id) made 20 `getrandom` calls, about 6 % of the server's
/// CPU for that request. This one fetches 256 bytes at a time (the most `getentropy` gives in
/// one call) and hands each 8 of them out once, to whichever thread asks next.
public struct KernelRandomNumberGenerator: RandomNumberGenerator, Sendable {
    public init() {}

    public mutating func next() -> UInt64 {
        kernelRandomWords.withLock { $0.next() }
    }
}

/// The process's unread kernel random words; held only while one is taken.
private let kernelRandomWords = Mutex(KernelRandomWords())

private struct KernelRandomWords {
    // An array, not an `InlineArray`: built -O in its own module, `getentropy` writing through
    // `withUnsafeMutableBytes(of:)` an inline array's storage left the words read back zero.
    private var words = [UInt64](repeating: 0, count: 32)  // 256 bytes, `getentropy`'s limit
    private var taken = 32

    mutating func next() -> UInt64 {
        if self.taken == self.words.count {
            self.refill()
        }
        defer { self.taken += 1 }
        return self.words[self.taken]
    }

    private mutating func refill() {
        let filled = self.words.withUnsafeMutableBytes { getentropy($0.baseAddress, $0.count) == 0 }
        if !filled {
            // Only a kernel without `getrandom` gets here: the standard library's own source.
            var system = SystemRandomNumberGenerator()
            for index in self.words.indices { self.words[index] = system.next() }
        }
        // 256 zero bytes are a broken build, never the kernel: stop rather than hand every new
        // guest the same session id.
        precondition(self.words.contains { $0 != 0 }, "random words read back as zero")
        self.taken = 0
    }
}
