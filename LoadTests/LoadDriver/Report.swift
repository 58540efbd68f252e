import Foundation
import Histogram

/// A run's figures: the table printed at the end and the same figures as JSON.
public struct Report: Codable, Sendable {
    /// One endpoint's row.
    public struct Row: Codable, Sendable {
        public var endpoint: String
        public var requests: Int
        public var requestsPerSecond: Double
        public var p50Milliseconds: Double
        public var p90Milliseconds: Double
        public var p99Milliseconds: Double
        public var p999Milliseconds: Double
        public var maxMilliseconds: Double
        /// Latency (ms) at each percentile of ``Report/curvePercentiles``, for the chart.
        public var curve: [Double]
    }

    /// The percentiles the chart's curves are drawn through.
    public static let curvePercentiles: [Double] = [
        0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100,
    ]

    public var scenario: String
    public var date: String
    public var seconds: Double
    public var requests: Int
    public var requestsPerSecond: Double
    public var rows: [Row]
    /// Answers that were not a success: `"<status> <code>"` → count.
    public var errors: [String: Int]
    public var failures: Int
    public var mismatches: [String]
    public var timeline: [Int]
    public var passed: Bool

    public init(_ result: RunResult, date: Date = Date()) {
        let seconds = max(result.seconds, 0.001)
        func row(_ name: String, _ endpoint: Recorder.Endpoint) -> Row {
            let latency = endpoint.latency
            func ms(_ percentile: Double) -> Double { Double(latency.valueAtPercentile(percentile)) / 1000 }
            return Row(
                endpoint: name,
                requests: endpoint.count,
                requestsPerSecond: Double(endpoint.count) / seconds,
                p50Milliseconds: ms(50),
                p90Milliseconds: ms(90),
                p99Milliseconds: ms(99),
                p999Milliseconds: ms(99.9),
                maxMilliseconds: Double(latency.max) / 1000,
                curve: Self.curvePercentiles.map(ms)
            )
        }
        self.scenario = result.scenario
        self.date = ISO8601DateFormatter().string(from: date)
        self.seconds = result.seconds
        self.requests = result.recorder.total.count
        self.requestsPerSecond = Double(self.requests) / seconds
        self.rows =
            result.recorder.endpoints.sorted { $0.key < $1.key }.map { row($0.key, $0.value) }
            + (result.recorder.endpoints.count > 1 ? [row("all", result.recorder.total)] : [])
        self.errors = result.recorder.outcomes
        self.failures = result.recorder.failures
        self.mismatches = result.recorder.mismatches
        self.timeline = result.timeline
        self.passed = result.passed
    }

    /// The table for the terminal.
    public var table: String {
        var lines: [String] = []
        lines.append(
            "scenario \(self.scenario): \(self.requests) requests in \(String(format: "%.1f", self.seconds)) s = "
                + "\(String(format: "%.0f", self.requestsPerSecond)) req/s"
        )
        let header = ["endpoint", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"]
        var cells = [header]
        for row in self.rows {
            cells.append(
                [
                    row.endpoint, "\(row.requests)", String(format: "%.0f", row.requestsPerSecond),
                ]
                    + [
                        row.p50Milliseconds, row.p90Milliseconds, row.p99Milliseconds, row.p999Milliseconds,
                        row.maxMilliseconds,
                    ]
                    .map { String(format: "%.2f", $0) }
            )
        }
        let widths = header.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        for row in cells {
            lines.append(
                row.enumerated().map { column, text in
                    column == 0
                        ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[column] - text.count) + text
                }.joined(separator: "  ")
            )
        }
        if self.errors.isEmpty {
            lines.append("errors: none")
        } else {
            lines.append(
                "errors: "
                    + self.errors.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")
            )
        }
        lines.append("5xx or no answer: \(self.failures)")
        lines.append("mismatches: \(self.mismatches.count)")
        for mismatch in self.mismatches.prefix(10) { lines.append("  - \(mismatch)") }
        if self.mismatches.count > 10 { lines.append("  … and \(self.mismatches.count - 10) more") }
        lines.append(self.passed ? "PASSED" : "FAILED")
        return lines.joined(separator: "\n")
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }
}
