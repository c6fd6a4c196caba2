import Foundation
import Histogram

/// One scenario's figures, as printed and as written to JSON.
struct ScenarioResult: Encodable {
    var key: String
    var title: String
    var ackedPerSecond: Double?
    var acked: Int
    var failures: Int
    var deliveries: Int
    var missing: Int
    var duplicated: Int
    var outOfOrder: Int
    var notStored: Int
    var ackMs: [String: Double] = [:]
    var deliverMs: [String: Double] = [:]
    var deliverCurve: [[Double]] = []
    var cpuSeconds: [String: Double] = [:]
    var seconds: Double
    var chatCPUMicrosPerMessage: Double?
    /// CPU seconds per 1,000 acknowledged messages across the measured system's processes (the load generator not counted).
    var cpuPerThousand: Double?
    var memoryKiBPerConnection: Double?
    var limit: String?
    var note: String?
    /// Scenario (g): the fault, its window (the injection, at least 5 s), and the messages sent in it.
    var fault: String?
    var faultSeconds: Double?
    var sentDuringFault: Int?
    var faultDeliverMs: [String: Double]?
}

enum Report {
    static let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("max", 100)]

    /// CPU seconds per 1,000 acknowledged messages across every process but the load generator.
    static func cpuPerThousand(_ cpu: [String: Double], acked: Int) -> Double? {
        guard acked > 0 else { return nil }
        return cpu.filter { $0.key != "load-generator" }.values.reduce(0, +) / Double(acked) * 1000
    }

    static func milliseconds(_ histogram: Histogram<UInt64>) -> [String: Double] {
        guard histogram.totalCount > 0 else { return [:] }
        var figures: [String: Double] = [:]
        for (name, p) in percentiles {
            figures[name] = Double(p == 100 ? histogram.max : histogram.valueAtPercentile(p)) / 1000
        }
        return figures
    }

    /// Points of the percentile curve: x = 1/(1-p) (log scale in the chart), y = ms.
    static func curve(_ histogram: Histogram<UInt64>) -> [[Double]] {
        guard histogram.totalCount > 0 else { return [] }
        return [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99].map { p in
            [p, Double(histogram.valueAtPercentile(p)) / 1000]
        }
    }

    static func line(_ r: ScenarioResult) -> String {
        func f(_ value: Double?, _ digits: Int = 1) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "–" }
        var parts = ["(\(r.key)) \(r.title):"]
        if let limit = r.limit {
            parts.append("NOT A FIGURE — \(limit);")
        } else if let rate = r.ackedPerSecond {
            parts.append("\(Int(rate.rounded())) acked msg/s;")
        }
        if !r.ackMs.isEmpty { parts.append("ack p50 \(f(r.ackMs["p50"])) / p99 \(f(r.ackMs["p99"])) ms;") }
        if !r.deliverMs.isEmpty {
            parts.append(
                "deliver p50 \(f(r.deliverMs["p50"])) / p90 \(f(r.deliverMs["p90"])) / p99 \(f(r.deliverMs["p99"])) "
                    + "/ p99.9 \(f(r.deliverMs["p99.9"])) / max \(f(r.deliverMs["max"])) ms;")
        }
        if r.acked > 0 {
            parts.append(
                "\(r.deliveries) deliveries, missing \(r.missing), duplicated \(r.duplicated), "
                    + "out of order \(r.outOfOrder), not stored \(r.notStored), send failures \(r.failures);")
        }
        if let fault = r.fault {
            let during = r.faultDeliverMs ?? [:]
            parts.append(
                "during the fault (\(fault), a \(f(r.faultSeconds)) s window): \(r.sentDuringFault ?? 0) messages sent, "
                    + "deliver p50 \(f(during["p50"])) / p99 \(f(during["p99"])) / max \(f(during["max"])) ms;")
        }
        if let kib = r.memoryKiBPerConnection { parts.append("\(f(kib)) KiB per idle WebSocket;") }
        let cpu = r.cpuSeconds.sorted { $0.key < $1.key }.map { "\($0.key) \(f($0.value, 2))" }.joined(separator: ", ")
        parts.append("CPU s: \(cpu)")
        if let micros = r.chatCPUMicrosPerMessage { parts.append("(chat-service \(f(micros, 0)) µs per message)") }
        if let note = r.note { parts.append("— \(note)") }
        return parts.joined(separator: " ")
    }

    /// The delivery-latency percentile curves of every scenario, as an SVG chart.
    static func svg(_ results: [ScenarioResult], title: String) -> String {
        let width = 760.0, height = 420.0, left = 70.0, right = 190.0, top = 40.0, bottom = 50.0
        let curves = results.filter { !$0.deliverCurve.isEmpty }
        // Both axes logarithmic: tails span milliseconds to seconds.
        let values = curves.flatMap { $0.deliverCurve.map { max($0[1], 0.01) } }
        let low = pow(10, floor(log10(values.min() ?? 1)))
        let high = pow(10, ceil(log10(max(values.max() ?? 10, low * 10))))
        let xMax = log10(1 / (1 - 0.9999))
        func x(_ p: Double) -> Double { left + (width - left - right) * log10(1 / (1 - p / 100)) / xMax }
        func y(_ ms: Double) -> Double {
            height - bottom - (height - top - bottom) * (log10(max(ms, low)) - log10(low)) / (log10(high) - log10(low))
        }
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        var out =
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))""#
            + #" font-family="sans-serif" font-size="12">"#
        out += #"<rect width="100%" height="100%" fill="white"/><text x="\#(left)" y="22" font-size="14">\#(escape(title))</text>"#
        out += #"<line x1="\#(left)" y1="\#(height - bottom)" x2="\#(width - right)" y2="\#(height - bottom)" stroke="black"/>"#
        out += #"<line x1="\#(left)" y1="\#(top)" x2="\#(left)" y2="\#(height - bottom)" stroke="black"/>"#
        for (p, label) in [(50.0, "p50"), (90, "p90"), (99, "p99"), (99.9, "p99.9"), (99.99, "p99.99")] {
            out += #"<text x="\#(x(p))" y="\#(height - bottom + 16)" text-anchor="middle">\#(label)</text>"#
            out += #"<line x1="\#(x(p))" y1="\#(top)" x2="\#(x(p))" y2="\#(height - bottom)" stroke="gainsboro"/>"#
        }
        var tick = low
        while tick <= high * 1.001 {
            let label = tick < 1 ? String(format: "%.2g", tick) : String(format: "%.0f", tick)
            out += #"<text x="\#(left - 6)" y="\#(y(tick) + 4)" text-anchor="end">\#(label)</text>"#
            out += #"<line x1="\#(left)" y1="\#(y(tick))" x2="\#(width - right)" y2="\#(y(tick))" stroke="gainsboro"/>"#
            tick *= 10
        }
        let middle = top + (height - top - bottom) / 2
        out += #"<text x="16" y="\#(middle)" transform="rotate(-90 16 \#(middle))" text-anchor="middle">send → deliver, ms</text>"#
        for (index, result) in curves.enumerated() {
            let color = colors[index % colors.count]
            let points = result.deliverCurve.map { "\(x($0[0])),\(y($0[1]))" }.joined(separator: " ")
            out += #"<polyline fill="none" stroke="\#(color)" stroke-width="2" points="\#(points)"/>"#
            let label = escape(String(result.title.prefix(24)))
            let labelY = top + 18 * Double(index) + 10
            out += #"<text x="\#(width - right + 10)" y="\#(labelY)" fill="\#(color)">(\#(result.key)) \#(label)</text>"#
        }
        return out + "</svg>\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
