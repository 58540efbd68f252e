import Foundation
import LoadDriver
import Testing

@Suite struct ReportTests {
    private func result() -> RunResult {
        var recorder = Recorder()
        for latency in 1...1000 {
            recorder.record(endpoint: "GET /cart", microseconds: UInt64(latency * 10), status: 200, code: nil)
        }
        var other = Recorder()
        other.record(endpoint: "POST /cart/items", microseconds: 2000, status: 409, code: "CART_004")
        other.record(endpoint: "POST /cart/items", microseconds: 3000, status: 503, code: "CART_010")
        recorder.merge(other)
        return RunResult(scenario: "mix", recorder: recorder, seconds: 2, timeline: [500, 502], finishedCarts: [])
    }

    @Test func theReportCountsRequestsPercentilesAndErrorsByStatusAndCode() throws {
        let report = Report(self.result())
        #expect(report.requests == 1002)
        #expect(report.requestsPerSecond == 501)
        let cart = try #require(report.rows.first { $0.endpoint == "GET /cart" })
        #expect(abs(cart.p50Milliseconds - 5.0) < 0.01)
        #expect(abs(cart.p99Milliseconds - 9.9) < 0.01)
        #expect(abs(cart.maxMilliseconds - 10.0) < 0.01)
        #expect(report.errors == ["409 CART_004": 1, "503 CART_010": 1])
        #expect(report.failures == 1)
        #expect(!report.passed)
        #expect(report.table.contains("503 CART_010 × 1"))
        #expect(report.table.hasSuffix("FAILED"))
    }

    @Test func theJSONReadsBackAndTheChartDrawsACurvePerEndpoint() throws {
        let report = Report(self.result())
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let decoded = try decoder.decode(Report.self, from: report.json())
        #expect(decoded.rows.map(\.endpoint) == report.rows.map(\.endpoint))
        #expect(String(decoding: try report.json(), as: UTF8.self).contains("\"p99_milliseconds\""))
        let svg = LatencyChart.svg([report], title: "a <title>")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)  // the "all" row is not drawn
        #expect(svg.contains("a &lt;title&gt;"))
    }

    @Test func warmUpRequestsAreNotMeasuredButTheirFailuresCount() {
        var recorder = Recorder()
        recorder.isMeasuring = false
        recorder.record(endpoint: "GET /cart", microseconds: 100, status: 200, code: nil)
        recorder.record(endpoint: "GET /cart", microseconds: 100, status: nil, code: nil)
        #expect(recorder.total.count == 0)
        #expect(recorder.failures == 1)
    }
}
