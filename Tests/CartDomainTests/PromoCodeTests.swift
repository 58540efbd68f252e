import CartDomain
import Testing

@Suite struct PromoCodeTests {
    @Test func aPercentIsRoundedHalfUpToTheCent() {
        let code = PromoCode(code: "SAVE15", reduction: .percent(15))
        // 15 % of 59.97 is 8.9955: 9.00 off.
        #expect(code.discount(on: Cents(5997)) == Cents(900))
        // 15 % of 0.10 is 0.015: half-up gives 0.02.
        #expect(code.discount(on: Cents(10)) == Cents(2))
        #expect(code.discount(on: Cents(3)) == Cents(0))
        #expect(PromoCode(code: "ALL", reduction: .percent(100)).discount(on: Cents(1999)) == Cents(1999))
    }

    @Test func anAmountNeverTakesMoreThanTheSubtotal() {
        let code = PromoCode(code: "TEN", reduction: .amount(Cents(1000)))
        #expect(code.discount(on: Cents(5997)) == Cents(1000))
        #expect(code.discount(on: Cents(799)) == Cents(799))
        #expect(code.discount(on: .zero) == .zero)
    }

    @Test func belowTheMinimumSubtotalTheDiscountIsZero() {
        let code = PromoCode(code: "BIG", reduction: .percent(10), minimumSubtotal: Cents(5000))
        #expect(code.discount(on: Cents(4999)) == .zero)
        #expect(code.discount(on: Cents(5000)) == Cents(500))
        #expect(code.refusal(subtotal: Cents(4999), now: 0) == .belowMinimum("BIG", minimum: Cents(5000)))
        #expect(code.refusal(subtotal: Cents(5000), now: 0) == nil)
    }

    @Test func eachReasonAgainstACodeHasItsOwnMessage() {
        let now: Int64 = 1_000_000
        var code = PromoCode(
            code: "X",
            reduction: .percent(5),
            maximumUses: 2,
            uses: 1,
            startsAt: now,
            expiresAt: now + 10
        )
        #expect(code.unavailability(now: now) == nil)
        #expect(code.unavailability(now: now - 1) == .notStarted("X"))
        #expect(code.unavailability(now: now + 10) == .expired("X"))
        code.uses = 2
        #expect(code.unavailability(now: now) == .exhausted("X"))
        code.isActive = false
        #expect(code.unavailability(now: now) == .inactive("X"))
        let reasons: [PromoRefusal] = [
            .unknown("X"), .inactive("X"), .notStarted("X"), .expired("X"), .exhausted("X"),
            .belowMinimum("X", minimum: Cents(5000)),
        ]
        #expect(Set(reasons.map(\.message)).count == reasons.count)
        #expect(PromoRefusal.belowMinimum("X", minimum: Cents(5000)).message.contains("50.00"))
    }
}
