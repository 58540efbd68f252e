extension Duration {
    /// The duration in whole milliseconds, the unit HotCart keeps its times in (a fraction of a
    /// millisecond is dropped).
    public var wholeMilliseconds: Int64 {
        self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
    }
}
