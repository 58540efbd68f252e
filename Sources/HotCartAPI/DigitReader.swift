/// Reads numbers and punctuation off ASCII bytes, left to right: a timestamp's fields, a JSON
/// number's parts.
struct DigitReader<Bytes: RandomAccessCollection<UInt8>> where Bytes.Index == Int {
    private let bytes: Bytes
    private var index: Int

    init(_ bytes: Bytes) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var isAtEnd: Bool { self.index == self.bytes.endIndex }

    /// Takes `character` if it comes next.
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard self.index < self.bytes.endIndex, self.bytes[self.index] == UInt8(ascii: character) else { return false }
        self.index += 1
        return true
    }

    /// Takes exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int? {
        var value = 0
        for offset in 0..<digits {
            guard let digit = self.digit(at: self.index + offset) else { return nil }
            value = value * 10 + digit
        }
        self.index += digits
        return value
    }

    /// Takes the decimal digits that come next, however many; how many it took.
    mutating func skipDigits() -> Int {
        let start = self.index
        while self.digit(at: self.index) != nil { self.index += 1 }
        return self.index - start
    }

    /// The value of the decimal digit at `position`; `nil` past the end or for another byte.
    private func digit(at position: Int) -> Int? {
        guard position < self.bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[position])
        else { return nil }
        return Int(self.bytes[position] - UInt8(ascii: "0"))
    }

    /// Takes one or more digits after a decimal point: the fraction of a second they write,
    /// in milliseconds rounded half up (`.9996` is 1000).
    mutating func fractionInMilliseconds() -> Int64? {
        var milliseconds: Int64 = 0
        var taken = 0
        while let digit = self.digit(at: self.index) {
            if taken < 3 {
                milliseconds = milliseconds * 10 + Int64(digit)
            } else if taken == 3, digit >= 5 {
                milliseconds += 1
            }
            taken += 1
            self.index += 1
        }
        guard taken > 0 else { return nil }
        // `.5` is 500 ms, `.25` 250.
        return taken >= 3 ? milliseconds : milliseconds * (taken == 1 ? 100 : 10)
    }
}
