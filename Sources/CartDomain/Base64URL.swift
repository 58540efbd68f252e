/// Unpadded base64url (RFC 4648 §5), for cookie values, session references and stored item ids.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Each byte's value in the alphabet; 64 for a byte outside it. One load per character
    /// instead of a range test per letter class: every line of every cart read decodes an id.
    private static let values: InlineArray<256, UInt8> = {
        var values = InlineArray<256, UInt8>(repeating: 64)
        for (value, character) in alphabet.enumerated() { values[Int(character)] = UInt8(value) }
        return values
    }()

    // Concrete buffer types, not generic collections: called from other modules on every
    // request, a generic version runs unspecialized (witness calls per byte).

    public static func encode(_ input: [UInt8]) -> String {
        input.withUnsafeBytes { Self.encode($0) }
    }

    public static func encode(_ input: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: (input.count * 4 + 2) / 3) { output in
            var written = 0
            var index = 0
            while index < input.count {
                let end = min(index + 3, input.count)
                var value = 0
                for offset in 0..<(end - index) { value |= Int(input[index + offset]) << (16 - 8 * offset) }
                for position in 0...(end - index) {
                    output[written] = alphabet[(value >> (18 - 6 * position)) & 63]
                    written += 1
                }
                index = end
            }
            return written
        }
    }

    /// Decodes `text` into `output` (room for `text.count * 3 / 4` bytes, so a caller can keep
    /// them on the stack) and returns the number of bytes written; `nil` when a character is
    /// outside the alphabet, the length is impossible or the unused low bits of the last
    /// character are not zero (only the canonical spelling decodes, so a signature cannot be
    /// altered without changing its bytes).
    public static func decode(
        _ text: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int? {
        guard text.count % 4 != 1, output.count >= text.count * 3 / 4 else { return nil }
        var written = 0
        var buffer = 0
        var bits = 0
        for character in text {
            let value = Self.values[Int(character)]
            guard value < 64 else { return nil }
            buffer = ((buffer << 6) | Int(value)) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                output[written] = UInt8((buffer >> bits) & 0xFF)
                written += 1
            }
        }
        guard buffer & ((1 << bits) - 1) == 0 else { return nil }
        return written
    }
}
