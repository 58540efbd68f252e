import Foundation
import Logging

/// One line per log entry on standard output (as swift-log's default handler writes):
/// `2026-11-25T20:04:05.123Z info hotcart.serve: message key=value …`.
///
/// swift-log's `StreamLogHandler` formats its metadata again each time a key is set, and
/// Hummingbird sets the request id on every request's logger; here metadata is formatted only
/// when an entry is actually written.
struct LogLineHandler: LogHandler {
    private let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        var line = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date.now) + " "
        line += "\(event.level) \(self.label): \(event.message)"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += "\n"
        // A line that cannot be written (standard output closed or full) is dropped: the
        // non-throwing `write(_:)` would stop the process over it.
        try? FileHandle.standardOutput.write(contentsOf: Data(line.utf8))
    }
}

/// Sends every logger of this process to ``LogLineHandler``, at the level `LOG_LEVEL` names
/// (`info` by default; `debug`, `notice`, `warning`, `error` or `critical`, in any case). Not
/// `trace`: PostgresNIO traces every message of its connections, the login's password and the
/// rows read among them, and no secret is ever logged. Another value stops the process with one
/// line naming the variable.
func bootstrapLogging() {
    let levels: [Logger.Level] = [.debug, .info, .notice, .warning, .error, .critical]
    let given = ProcessInfo.processInfo.environment["LOG_LEVEL"]?.trimmingCharacters(in: .whitespaces) ?? ""
    guard let level = given.isEmpty ? .info : levels.first(where: { $0.rawValue == given.lowercased() }) else {
        let names = levels.map(\.rawValue).joined(separator: ", ")
        let line = "configuration error: LOG_LEVEL must be one of \(names), got '\(given)'\n"
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
        exit(2)
    }
    LoggingSystem.bootstrap { label in LogLineHandler(label: label, level: level) }
}
