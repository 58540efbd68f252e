import CartDomain
import Testing

@Suite struct DisplayCurrencyTests {
    func currency(_ code: String, _ rate: Double) -> DisplayCurrency {
        DisplayCurrency(code: code, scaledRate: Int64((rate * 10_000_000_000).rounded()))
    }

    @Test func minorUnitsFollowISO4217() {
        #expect(DisplayCurrency.minorUnits(of: "JPY") == 0)
        #expect(DisplayCurrency.minorUnits(of: "EUR") == 2)
        #expect(DisplayCurrency.minorUnits(of: "KWD") == 3)
    }

    @Test func amountsAreRoundedHalfUpToTheMinorUnit() {
        // 19.99 USD at 151.5 JPY: 3028.485 → 3028 yen.
        #expect(self.currency("JPY", 151.5).convert(Cents(1999)) == 3028)
        // 0.01 USD at 150.5: 1.505 → 2 yen (half-up).
        #expect(self.currency("JPY", 150.5).convert(Cents(1)) == 2)
        // 19.99 USD at 0.30715 KWD: 6.1399285 → 6.140 dinars (6140 fils).
        #expect(self.currency("KWD", 0.30715).convert(Cents(1999)) == 6140)
        // 19.99 USD at 0.92 EUR: 18.3908 → 18.39.
        #expect(self.currency("EUR", 0.92).convert(Cents(1999)) == 1839)
        #expect(self.currency("EUR", 0.92).convert(Cents(-1999)) == -1839)
        #expect(self.currency("EUR", 0.92).convert(.zero) == 0)
        // Large carts do not overflow: 10 million dollars at 150 yen.
        #expect(self.currency("JPY", 150).convert(Cents(1_000_000_000)) == 1_500_000_000)
        // The largest rate on the largest cart is clamped, not a trap.
        #expect(self.currency("CLF", 1_000_000).convert(Cents(1_000_000_000_000)) == Int64.max)
    }
}
