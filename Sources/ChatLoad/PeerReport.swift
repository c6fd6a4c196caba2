import Foundation

/// `--xmpp`: MicroChat and its peers in one table — throughput, delivery
/// latency, CPU per 1,000 acknowledged messages across each system's own
/// processes, and the ratios to the first peer.
enum PeerReport {
    struct Row: Encodable {
        var system: String
        var ackedPerSecond: Double?
        var deliverP50Ms: Double?
        var deliverP99Ms: Double?
        var cpuPerThousand: Double?
        /// The processes whose CPU counts (the load generator's never does).
        var processes: [String]
        var rateRatio: Double?
        var cpuRatio: Double?
        /// Delivery p99 over the base's (the open-loop table's measure: below 1 is better).
        var p99Ratio: Double?
        var lostDuplicatedOrReordered: Int
        var notAFigure: String?
    }

    static let microChatTitles = [
        "a": "MicroChat, direct to chat-service (a)", "f": "MicroChat, through ui-service (f)",
        "b": "MicroChat, direct to chat-service (b)",
    ]

    /// The closed-loop table: each peer's (a) shape and MicroChat's (a) and (f), against the first peer.
    static func rows(peers: [ScenarioResult], microChat: [ScenarioResult]) -> [Row] {
        let closed = peers.filter { !$0.key.hasSuffix("-open") }
        return compare(closed + microChat.filter { ["a", "f"].contains($0.key) }, base: closed.first)
    }

    /// The open-loop table: each peer and MicroChat's (b) offered the same rate, against the first peer.
    static func openLoopRows(peers: [ScenarioResult], microChat: [ScenarioResult]) -> [Row] {
        let open = peers.filter { $0.key.hasSuffix("-open") }
        guard !open.isEmpty else { return [] }
        return compare(open + microChat.filter { $0.key == "b" }, base: open.first)
    }

    private static func compare(_ shown: [ScenarioResult], base: ScenarioResult?) -> [Row] {
        shown.map { result in
            var row = Row(
                system: microChatTitles[result.key] ?? result.title, ackedPerSecond: result.ackedPerSecond,
                deliverP50Ms: result.deliverMs["p50"], deliverP99Ms: result.deliverMs["p99"], cpuPerThousand: result.cpuPerThousand,
                processes: result.cpuSeconds.keys.filter { $0 != "load-generator" }.sorted(),
                lostDuplicatedOrReordered: result.missing + result.duplicated + result.outOfOrder + result.notStored,
                notAFigure: result.limit)
            if let rate = result.ackedPerSecond, let baseRate = base?.ackedPerSecond, baseRate > 0 { row.rateRatio = rate / baseRate }
            if let cpu = result.cpuPerThousand, let baseCPU = base?.cpuPerThousand, baseCPU > 0 { row.cpuRatio = cpu / baseCPU }
            if let p99 = row.deliverP99Ms, let baseP99 = base?.deliverMs["p99"], baseP99 > 0 { row.p99Ratio = p99 / baseP99 }
            return row
        }
    }

    /// The table as Markdown (it goes into the README as printed).
    static func table(_ rows: [Row], base: String) -> String {
        func f(_ value: Double?, _ digits: Int) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "–" }
        var lines = [
            "| system | acked msg/s | deliver p50 / p99 ms | CPU s per 1,000 acked | msg/s ÷ \(base) | CPU per msg ÷ \(base) "
                + "| lost / dup / reordered |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            let rate = row.notAFigure.map { "not a figure: \($0)" } ?? f(row.ackedPerSecond, 0)
            lines.append(
                "| \(row.system) | \(rate) | \(f(row.deliverP50Ms, 1)) / \(f(row.deliverP99Ms, 1)) | \(f(row.cpuPerThousand, 2)) "
                    + "(\(row.processes.joined(separator: " + "))) | \(f(row.rateRatio, 2)) | \(f(row.cpuRatio, 2)) "
                    + "| \(row.lostDuplicatedOrReordered) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The open-loop table as Markdown: at one offered rate, latency is the measure.
    static func openLoopTable(_ rows: [Row], base: String) -> String {
        func f(_ value: Double?, _ digits: Int) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "–" }
        var lines = [
            "| system, open loop | acked msg/s | deliver p50 / p99 ms | p99 ÷ \(base) | CPU s per 1,000 acked | lost / dup / reordered |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows {
            let rate = row.notAFigure.map { "not a figure: \($0)" } ?? f(row.ackedPerSecond, 0)
            lines.append(
                "| \(row.system) | \(rate) | \(f(row.deliverP50Ms, 1)) / \(f(row.deliverP99Ms, 1)) | \(f(row.p99Ratio, 3)) "
                    + "| \(f(row.cpuPerThousand, 2)) | \(row.lostDuplicatedOrReordered) |")
        }
        return lines.joined(separator: "\n")
    }
}
