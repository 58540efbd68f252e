import Foundation
import LoadDriver
import Testing

@Suite struct CartModelTests {
    let mug = CatalogProduct(id: 1, priceCents: 1999, stock: 10)
    let pen = CatalogProduct(id: 2, priceCents: 250, stock: nil)

    @Test func anAddWithinTheCapsChangesTheCartAndAFirstAddMakesALine() {
        var model = CartModel()
        #expect(model.predictAdd(self.mug, quantity: 3) == .changed(created: true))
        model.add(product: 1, quantity: 3)
        #expect(model.predictAdd(self.mug, quantity: 2) == .changed(created: false))
        #expect(model.subtotalCents(in: Catalog(products: [self.mug, self.pen])) == 5997)
    }

    @Test func eachCapPredictsItsOwnRefusal() {
        var model = CartModel(limits: .init(perLine: 5, perCart: 8))
        model.add(product: 2, quantity: 5)
        #expect(model.predictAdd(self.pen, quantity: 1) == .refused(codes: ["CART_001"]))
        #expect(model.predictAdd(self.mug, quantity: 4) == .refused(codes: ["CART_004"]))
        #expect(model.predictSet(self.pen, quantity: 6) == .refused(codes: ["CART_001"]))
        #expect(model.predictSet(self.pen, quantity: 0) == .changed(created: false))
        var stocked = CartModel()
        stocked.add(product: 1, quantity: 9)
        #expect(stocked.predictAdd(self.mug, quantity: 2) == .refused(codes: ["CART_009"]))
        #expect(stocked.predictSet(self.mug, quantity: 11) == .refused(codes: ["CART_009"]))
        #expect(stocked.predictSet(self.mug, quantity: 10) == .changed(created: false))
        // A line holding more than the stock now may still be lowered.
        stocked.set(product: 1, quantity: 10)
        let soldDown = CatalogProduct(id: 1, priceCents: 1999, stock: 4)
        #expect(stocked.predictSet(soldDown, quantity: 6) == .changed(created: false))
    }

    @Test func aCartAnswerIsComparedLineByLineWithUnitsAndSubtotal() {
        var model = CartModel()
        model.add(product: 1, quantity: 3)
        let catalog = Catalog(products: [self.mug, self.pen])
        let right = CartSnapshot(
            id: "c",
            lines: [.init(itemID: "a", productID: 1, quantity: 3, unitCents: 1999)],
            totalItems: 3,
            subtotalCents: 5997
        )
        #expect(model.difference(from: right, catalog: catalog) == nil)
        var lost = right
        lost.lines[0].quantity = 2
        lost.totalItems = 2
        lost.subtotalCents = 3998
        let difference = model.difference(from: lost, catalog: catalog)
        #expect(difference?.contains("product 1: expected 3, got 2") == true)
        #expect(difference?.contains("total_items") == true)
        model.resynchronize(with: lost)
        #expect(model.quantities == [1: 2])
        #expect(model.itemIDs == [1: "a"])
    }

    @Test func aCartResponseDecodesWithMoneyInCents() throws {
        let json = Data(
            #"{"id":"c1","items":[{"id":"i1","product_id":7,"quantity":3,"unit_price":19.99,"total_price":59.97}],"total_items":3,"subtotal":59.97}"#
                .utf8
        )
        let cart = try #require(CartSnapshot(json: json))
        #expect(cart.lines == [.init(itemID: "i1", productID: 7, quantity: 3, unitCents: 1999)])
        #expect(cart.subtotalCents == 5997)
        #expect(CartSnapshot(json: Data("{}".utf8)) == nil)
    }
}
