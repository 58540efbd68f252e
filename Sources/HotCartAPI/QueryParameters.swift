import CartDomain
import Hummingbird

extension Request {
    /// The whole-number query parameter `name`, or `value` when it is absent; a value that is
    /// not a whole number in `range` is CART_005 naming the parameter.
    func integerQuery(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = self.uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw CartError.invalidRequest(
                "\(name) must be a whole number between \(range.lowerBound) and \(range.upperBound)",
                field: name
            )
        }
        return number
    }
}
