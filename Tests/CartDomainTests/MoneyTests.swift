import CartDomain
import Testing

@Suite struct MoneyTests {
    @Test func threeTimesNineteenNinetyNineIsExactlyFiftyNineNinetySeven() {
        let total = Cents(1999) * 3
        #expect(total == Cents(5997))
        #expect(total.description == "59.97")
        #expect(total.decimalValue == 59.97)
    }

    @Test(arguments: [("19.99", 1999), ("20", 2000), ("0.5", 50), ("0.05", 5), ("1234567.89", 123_456_789)])
    func parsesDecimalAmounts(text: String, cents: Int64) {
        #expect(Cents(decimal: text) == Cents(cents))
    }

    @Test(arguments: ["-1", "1.999", "abc", "", "1.", ".5x"])
    func refusesAmountsThatAreNotCents(text: String) {
        #expect(Cents(decimal: text) == nil)
    }

    @Test func formatsSmallAndNegativeAmountsWithTwoDecimals() {
        #expect(Cents(5).description == "0.05")
        #expect(Cents(-250).description == "-2.50")
    }
}
