import Foundation

/// What a virtual shopper does next, and how often.
public enum ShopperAction: String, CaseIterable, Sendable {
    /// `GET /products/` (a page of the catalog).
    case browse
    /// `GET /products/{id}`.
    case view
    /// `POST /cart/items`.
    case add
    /// `PUT /cart/items/{id}` (sometimes to 0, which removes the line).
    case change
    /// `DELETE /cart/items/{id}`.
    case remove
    /// `GET /cart`.
    case read
    /// `GET /cart/summary`.
    case summary
    /// `POST /auth/register` then `POST /auth/jwt/login` with the guest cookie (the guest cart
    /// is merged); once per shopper, a read afterwards.
    case login
}

/// Weights of the shopper's actions, e.g. `browse=15,view=10,add=30,change=10,remove=5,read=20,summary=5,login=5`.
public struct ShopperMix: Sendable, Equatable {
    public private(set) var weights: [ShopperAction: Int]

    public static let storefront = ShopperMix(weights: [
        .browse: 15, .view: 10, .add: 30, .change: 10, .remove: 5, .read: 20, .summary: 5, .login: 5,
    ])

    public init(weights: [ShopperAction: Int]) {
        self.weights = weights.filter { $0.value > 0 }
    }

    /// Parses `name=weight,…`; `nil` for an unknown action, a negative weight or no weight at all.
    public init?(parsing text: String) {
        var weights: [ShopperAction: Int] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2,
                let action = ShopperAction(rawValue: parts[0].trimmingCharacters(in: .whitespaces)),
                let weight = Int(parts[1].trimmingCharacters(in: .whitespaces)), weight >= 0
            else { return nil }
            weights[action] = weight
        }
        guard weights.values.reduce(0, +) > 0 else { return nil }
        self.init(weights: weights)
    }

    /// An action drawn with the mix's weights.
    public func next(using generator: inout some RandomNumberGenerator) -> ShopperAction {
        let total = self.weights.values.reduce(0, +)
        var draw = Int.random(in: 0..<total, using: &generator)
        for action in ShopperAction.allCases {
            let weight = self.weights[action] ?? 0
            if draw < weight { return action }
            draw -= weight
        }
        return .read
    }
}
