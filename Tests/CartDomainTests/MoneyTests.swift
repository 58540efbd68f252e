import CartDomain
import Testing

@Suite struct MoneyTests {
    @Test func threeTimesNineteenNinetyNineIsExactlyFiftyNineNinetySeven() {
        let total = Cents(1999) * 3
        #expect(total == Cents(5997))
        #expect(total.description == "59.97")
        #expect(total.decimalValue == 59.97)
    }

    @Test func formatsSmallAndNegativeAmountsWithTwoDecimals() {
        #expect(Cents(5).description == "0.05")
        #expect(Cents(-250).description == "-2.50")
    }
}
