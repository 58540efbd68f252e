import Foundation

/// One numbered schema change with its rollback, loaded from `Migrations/NNNN_name.up.sql`
/// and `NNNN_name.down.sql`.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var up: String
    public var down: String

    /// The statements of one direction: comment lines dropped, then split at semicolons (a
    /// migration keeps semicolons out of string literals and function bodies).
    public func statements(_ direction: KeyPath<Migration, String>) -> [String] {
        self[keyPath: direction]
            .split(separator: "\n")
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: "\n")
            .split(separator: ";")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    /// Every migration shipped with this module, in version order.
    public static let all: [Migration] = {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else {
            fatalError("the Migrations folder is missing from the Database bundle")
        }
        return files.filter { $0.hasSuffix(".up.sql") }.sorted().map { file in
            let stem = String(file.dropLast(".up.sql".count))
            guard let version = Int(stem.prefix { $0.isNumber }),
                let up = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8),
                let down = try? String(
                    contentsOf: directory.appendingPathComponent(stem + ".down.sql"),
                    encoding: .utf8
                )
            else {
                fatalError("migration \(file) has no number or no .down.sql")
            }
            return Migration(version: version, name: stem, up: up, down: down)
        }
    }()
}
