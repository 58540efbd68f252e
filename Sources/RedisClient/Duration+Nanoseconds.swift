extension Duration {
    /// The duration in whole nanoseconds (for timers and monotonic clock arithmetic).
    var nanoseconds: Int64 {
        self.components.seconds * 1_000_000_000 + self.components.attoseconds / 1_000_000_000
    }
}
