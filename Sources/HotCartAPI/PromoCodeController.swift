import CartDomain
import Foundation
import Hummingbird
import Promotions

/// Promotion codes for superusers: `POST /promo-codes/`, `GET /promo-codes/`,
/// `GET|PATCH|DELETE /promo-codes/{code}`. Codes are unique whatever their case and found
/// whatever the case of the path. Carts see a change within a second (the code cache's
/// reload); this process sees it at once.
struct PromoCodeController {
    let repository: PromoCodeRepository
    let cache: PromoCodeCache
    let authenticator: Authenticator

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get(use: self.list)
        group.post(use: self.create)
        group.get("{code}", use: self.show)
        group.patch("{code}", use: self.update)
        group.delete("{code}", use: self.delete)
    }

    @Sendable func list(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        return JSONBody.response(try await self.repository.all().map(PromoCodeResponse.init))
    }

    @Sendable func show(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let code = try Self.code(context)
        guard let found = try await self.repository.code(code) else { throw Self.notFound(code) }
        return JSONBody.response(PromoCodeResponse(found))
    }

    @Sendable func create(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let fields = try await JSONBody.decode(PromoCodeBody.self, from: request).fields(over: nil)
        let created = try await self.saving(fields) { try await self.repository.create(fields) }
        return JSONBody.response(PromoCodeResponse(created), status: .created)
    }

    /// `PATCH`: only the fields given change; giving `percent_off` or `amount_off` switches
    /// the code to that kind.
    @Sendable func update(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let code = try Self.code(context)
        let body = try await JSONBody.decode(PromoCodeBody.self, from: request)
        guard let current = try await self.repository.code(code) else { throw Self.notFound(code) }
        let fields = try body.fields(over: PromoCodeRepository.Fields(current))
        let updated = try await self.saving(fields) { try await self.repository.update(code, fields) }
        guard let updated else { throw Self.notFound(code) }
        return JSONBody.response(PromoCodeResponse(updated))
    }

    @Sendable func delete(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let code = try Self.code(context)
        guard try await self.repository.delete(code) else { throw Self.notFound(code) }
        try? await self.cache.refresh()
        return Response(status: .noContent)
    }

    /// Runs a write, then reloads the cache; a code another code has is 409, a maximum
    /// below the uses taken is 400.
    private func saving<Result>(
        _ fields: PromoCodeRepository.Fields,
        _ write: () async throws -> Result
    ) async throws -> Result {
        do {
            let result = try await write()
            try? await self.cache.refresh()
            return result
        } catch is PromoCodeRepository.DuplicateCode {
            throw CartError(
                .invalidRequest,
                "A promotion code '\(fields.code)' already exists",
                field: "code",
                status: 409
            )
        } catch is PromoCodeRepository.MaximumBelowUses {
            throw CartError.invalidRequest("max_uses cannot be below the uses already taken", field: "max_uses")
        }
    }

    private static func code(_ context: CartRequestContext) throws -> String {
        let code = context.parameters.get("code") ?? ""
        guard PromoCodeBody.isWellFormed(code) else { throw Self.notFound(code) }
        return code
    }

    private static func notFound(_ code: String) -> CartError {
        CartError(.notFound, "Promotion code '\(CartError.excerpt(code))' not found", field: "code")
    }
}

/// The fields of `POST` (code and one of percent_off / amount_off required) and of `PATCH`
/// (all optional). `max_uses`, `starts_at` and `expires_at` may be null (no limit).
struct PromoCodeBody: Decodable {
    var code: String?
    var percentOff: WholeNumberInput??
    var amountOff: PriceInput??
    var minimumSubtotal: PriceInput?
    var maximumUses: WholeNumberInput??
    var startsAt: String??
    var expiresAt: String??
    var isActive: Bool?

    enum CodingKeys: String, CodingKey {
        case code
        case percentOff = "percent_off"
        case amountOff = "amount_off"
        case minimumSubtotal = "min_subtotal"
        case maximumUses = "max_uses"
        case startsAt = "starts_at"
        case expiresAt = "expires_at"
        case isActive = "is_active"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for key in [CodingKeys.code, .minimumSubtotal, .isActive] where container.contains(key) {
            if try container.decodeNil(forKey: key) {
                throw CartError.invalidRequest("Field '\(key.rawValue)' may not be null", field: key.rawValue)
            }
        }
        self.code = try container.decodeIfPresent(String.self, forKey: .code)
        self.minimumSubtotal = try container.decodeIfPresent(PriceInput.self, forKey: .minimumSubtotal)
        self.isActive = try container.decodeIfPresent(Bool.self, forKey: .isActive)
        // Absent (keep) is not null (none).
        if container.contains(.percentOff) {
            self.percentOff = .some(try container.decodeIfPresent(WholeNumberInput.self, forKey: .percentOff))
        }
        if container.contains(.amountOff) {
            self.amountOff = .some(try container.decodeIfPresent(PriceInput.self, forKey: .amountOff))
        }
        if container.contains(.maximumUses) {
            self.maximumUses = .some(try container.decodeIfPresent(WholeNumberInput.self, forKey: .maximumUses))
        }
        if container.contains(.startsAt) {
            self.startsAt = .some(try container.decodeIfPresent(String.self, forKey: .startsAt))
        }
        if container.contains(.expiresAt) {
            self.expiresAt = .some(try container.decodeIfPresent(String.self, forKey: .expiresAt))
        }
    }

    /// 1 to 64 letters, digits, `-` or `_`.
    static func isWellFormed(_ code: String) -> Bool {
        (1...64).contains(code.utf8.count)
            && code.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    /// The fields over `base`; every given value checked.
    func fields(over base: PromoCodeRepository.Fields?) throws -> PromoCodeRepository.Fields {
        guard let code = self.code ?? base?.code, Self.isWellFormed(code) else {
            throw CartError.invalidRequest("code must be 1 to 64 letters, digits, '-' or '_'", field: "code")
        }
        let reduction = try self.reduction(over: base?.reduction)
        var minimum = base?.minimumSubtotal ?? .zero
        if let given = self.minimumSubtotal {
            guard let cents = given.cents else {
                throw CartError.invalidRequest(
                    "min_subtotal must be a number from 0 to 99999999.99 with at most 2 decimals",
                    field: "min_subtotal"
                )
            }
            minimum = cents
        }
        var maximumUses = base?.maximumUses
        if let given = self.maximumUses {
            if let given {
                guard let value = given.value, (1...Int(Int32.max)).contains(value) else {
                    throw CartError.invalidRequest(
                        "max_uses must be a whole number of 1 or more, or null",
                        field: "max_uses"
                    )
                }
                maximumUses = value
            } else {
                maximumUses = nil
            }
        }
        let startsAt = try Self.instant(self.startsAt, field: "starts_at", default: base?.startsAt)
        let expiresAt = try Self.instant(self.expiresAt, field: "expires_at", default: base?.expiresAt)
        if let startsAt, let expiresAt, startsAt >= expiresAt {
            throw CartError.invalidRequest("expires_at must be after starts_at", field: "expires_at")
        }
        return PromoCodeRepository.Fields(
            code: code,
            reduction: reduction,
            minimumSubtotal: minimum,
            maximumUses: maximumUses,
            startsAt: startsAt,
            expiresAt: expiresAt,
            isActive: self.isActive ?? base?.isActive ?? true
        )
    }

    /// Exactly one of `percent_off` (1 to 100) and `amount_off` (more than 0); a kind given
    /// replaces the base's.
    private func reduction(over base: PromoCode.Reduction?) throws -> PromoCode.Reduction {
        let percent = try self.percentOff.map { given -> Int? in
            guard let given else { return nil }
            guard let value = given.value, (1...100).contains(value) else {
                throw CartError.invalidRequest("percent_off must be a whole number from 1 to 100", field: "percent_off")
            }
            return value
        }
        let amount = try self.amountOff.map { given -> Cents? in
            guard let given else { return nil }
            guard let cents = given.cents, cents.value > 0 else {
                throw CartError.invalidRequest(
                    "amount_off must be a number above 0 with at most 2 decimals",
                    field: "amount_off"
                )
            }
            return cents
        }
        switch (percent ?? nil, amount ?? nil) {
        case (.some, .some):
            throw CartError.invalidRequest("Give percent_off or amount_off, not both", field: "percent_off")
        case (.some(let value), nil):
            return .percent(value)
        case (nil, .some(let cents)):
            return .amount(cents)
        case (nil, nil):
            // Neither given with a value: the base's kind stays unless it was set to null.
            if let base {
                switch base {
                case .percent where percent == nil, .amount where amount == nil: return base
                default: break
                }
            }
            throw CartError.invalidRequest("One of percent_off or amount_off is required", field: "percent_off")
        }
    }

    /// An ISO-8601 time as milliseconds since 1970; absent keeps `default`, null clears it.
    private static func instant(_ given: String??, field: String, default value: Int64?) throws -> Int64? {
        guard let given else { return value }
        guard let text = given else { return nil }
        guard let instant = Timestamp.milliseconds(iso8601: text) else {
            throw CartError.invalidRequest(
                "\(field) must be an ISO-8601 time such as 2026-12-01T00:00:00Z",
                field: field
            )
        }
        return instant
    }
}

/// A promotion code as the API shows it.
struct PromoCodeResponse: Encodable {
    let code: PromoCode

    init(_ code: PromoCode) {
        self.code = code
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: PromoCodeBody.CodingKeys.self)
        try container.encode(self.code.code, forKey: .code)
        switch self.code.reduction {
        case .percent(let percent):
            try container.encode(percent, forKey: .percentOff)
            try container.encodeNil(forKey: .amountOff)
        case .amount(let amount):
            try container.encodeNil(forKey: .percentOff)
            try container.encode(amount.decimalValue, forKey: .amountOff)
        }
        try container.encode(self.code.minimumSubtotal.decimalValue, forKey: .minimumSubtotal)
        try container.encode(self.code.maximumUses, forKey: .maximumUses)
        try container.encode(self.code.startsAt.map { Timestamp.iso8601(milliseconds: $0) }, forKey: .startsAt)
        try container.encode(self.code.expiresAt.map { Timestamp.iso8601(milliseconds: $0) }, forKey: .expiresAt)
        try container.encode(self.code.isActive, forKey: .isActive)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode(self.code.uses, forKey: .uses)
        try extra.encode(Timestamp.iso8601(milliseconds: self.code.createdAt), forKey: .createdAt)
        try extra.encode(Timestamp.iso8601(milliseconds: self.code.updatedAt), forKey: .updatedAt)
    }

    private enum ExtraKeys: String, CodingKey {
        case uses
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
