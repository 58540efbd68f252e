import Foundation

/// The latency percentile curves of one or more reports as an SVG a browser opens: one line
/// per endpoint, latency (ms, logarithmic) against the percentile (spread by its "nines", so
/// 99, 99.9 and 99.99 are evenly apart, as HdrHistogram plots do).
public enum LatencyChart {
    private static let colors = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
        "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
    ]

    /// Draws every row of `reports` except the `all` rows, named `<scenario> <endpoint>`.
    public static func svg(_ reports: [Report], title: String) -> String {
        let series: [(String, [Double])] = reports.flatMap { report in
            report.rows.filter { $0.endpoint != "all" }.map { ("\(report.scenario): \($0.endpoint)", $0.curve) }
        }
        let width = 900.0
        let height = 520.0
        let left = 70.0
        let right = 300.0
        let top = 50.0
        let bottom = 60.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let nines = Report.curvePercentiles.map { percentile in
            percentile >= 100 ? 5.5 : min(5.5, -log10(1 - percentile / 100))
        }
        let maxNines = nines.max() ?? 1
        let values = series.flatMap(\.1).filter { $0 > 0 }
        let low = pow(10, floor(log10(values.min() ?? 0.1)))
        let high = pow(10, ceil(log10(max(values.max() ?? 1, low * 10))))
        func x(_ index: Int) -> Double { left + nines[index] / maxNines * plotWidth }
        func y(_ ms: Double) -> Double {
            top + plotHeight - (log10(max(ms, low)) - log10(low)) / (log10(high) - log10(low)) * plotHeight
        }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="28" font-size="16" font-weight="bold">\(escape(title))</text>

            """
        var decade = low
        while decade <= high * 1.0001 {
            svg += line(left, y(decade), left + plotWidth, y(decade), "#ddd")
            svg += text(left - 8, y(decade) + 4, format(decade) + " ms", anchor: "end")
            decade *= 10
        }
        for (index, percentile) in Report.curvePercentiles.enumerated()
        where [0, 50, 90, 99, 99.9, 99.99, 99.999, 100].contains(percentile) {
            svg += line(x(index), top, x(index), top + plotHeight, "#eee")
            svg += text(
                x(index),
                top + plotHeight + 18,
                percentile == 100 ? "max" : "p" + format(percentile),
                anchor: "middle"
            )
        }
        svg += text(left + plotWidth / 2, height - 14, "percentile", anchor: "middle")
        svg +=
            line(left, top, left, top + plotHeight, "#333")
            + line(left, top + plotHeight, left + plotWidth, top + plotHeight, "#333")
        for (index, (name, curve)) in series.enumerated() {
            let color = colors[index % colors.count]
            let points = curve.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }.joined(
                separator: " "
            )
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            let legendY = top + 10 + Double(index) * 20
            svg += line(left + plotWidth + 20, legendY, left + plotWidth + 44, legendY, color, width: 3)
            svg += text(left + plotWidth + 50, legendY + 4, name, anchor: "start")
        }
        return svg + "</svg>\n"
    }

    private static func line(
        _ x1: Double,
        _ y1: Double,
        _ x2: Double,
        _ y2: Double,
        _ color: String,
        width: Double = 1
    ) -> String {
        String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" ", x1, y1, x2, y2)
            + "stroke=\"\(color)\" stroke-width=\"\(Int(width))\"/>\n"
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, anchor: String) -> String {
        String(format: "<text x=\"%.1f\" y=\"%.1f\" ", x, y) + "text-anchor=\"\(anchor)\">" + escape(content)
            + "</text>\n"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
