import LoadDriver
import Testing

@Suite struct ShopperMixTests {
    @Test func aMixParsesFromNameWeightPairs() {
        let mix = ShopperMix(parsing: "add=3, read=1")
        #expect(mix?.weights == [.add: 3, .read: 1])
        #expect(ShopperMix(parsing: "dance=1") == nil)
        #expect(ShopperMix(parsing: "add=-1") == nil)
        #expect(ShopperMix(parsing: "add=0") == nil)
    }

    @Test func actionsAreDrawnWithTheirWeights() {
        let mix = ShopperMix(weights: [.add: 3, .read: 1])
        var generator = SystemRandomNumberGenerator()
        var counts: [ShopperAction: Int] = [:]
        for _ in 0..<20_000 { counts[mix.next(using: &generator), default: 0] += 1 }
        #expect(Set(counts.keys) == [.add, .read])
        let share = Double(counts[.add] ?? 0) / 20_000
        #expect(share > 0.72 && share < 0.78)
    }

    @Test func onlyLoopbackTargetsAreAccepted() {
        #expect(LoadConfiguration.problem(with: "http://127.0.0.1:8000") == nil)
        #expect(LoadConfiguration.problem(with: "http://localhost:8000") == nil)
        #expect(LoadConfiguration.problem(with: "http://example.com") != nil)
        #expect(LoadConfiguration.problem(with: "https://127.0.0.1") != nil)
    }
}
